package main

// Key material for the test control plane. Everything is created once per
// --data-dir and reused on later starts, so kubeconfigs, bearer tokens and
// service-account tokens stay valid across restarts of the program.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// pkiFiles are the absolute paths of everything the apiserver is pointed at.
type pkiFiles struct {
	caCert     string // PEM, the CA that signed the serving certificate
	serverCert string // PEM, serving certificate for 127.0.0.1 / localhost
	serverKey  string
	saKey      string // ECDSA P-256 key, signs and verifies service-account tokens
	tokens     string // --token-auth-file
}

// user is one line of the static token file.
type user struct {
	name   string
	token  string
	groups []string
}

const (
	adminUser = "kvsnap-admin"
	plainUser = "kvsnap-user"
)

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func writePEM(path, kind string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600)
}

func newKey() (*ecdsa.PrivateKey, []byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalECPrivateKey(k)
	return k, der, err
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
}

// ensurePKI creates (if missing) the CA, the serving certificate, the
// service-account key and the token file below dir.
func ensurePKI(dir string) (pkiFiles, error) {
	f := pkiFiles{
		caCert:     filepath.Join(dir, "ca.crt"),
		serverCert: filepath.Join(dir, "apiserver.crt"),
		serverKey:  filepath.Join(dir, "apiserver.key"),
		saKey:      filepath.Join(dir, "sa.key"),
		tokens:     filepath.Join(dir, "tokens.csv"),
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, err
	}

	if !fileExists(f.caCert) || !fileExists(f.serverCert) || !fileExists(f.serverKey) {
		if err := makeCerts(f); err != nil {
			return f, fmt.Errorf("generating certificates: %w", err)
		}
	}
	if !fileExists(f.saKey) {
		_, der, err := newKey()
		if err != nil {
			return f, err
		}
		if err := writePEM(f.saKey, "EC PRIVATE KEY", der); err != nil {
			return f, err
		}
	}
	if !fileExists(f.tokens) {
		var b strings.Builder
		for _, u := range []user{
			{name: adminUser, groups: []string{"system:masters"}},
			{name: plainUser},
		} {
			tok, err := randomToken()
			if err != nil {
				return f, err
			}
			// token,user,uid[,"group1,group2"]; system:authenticated is added by the apiserver.
			fmt.Fprintf(&b, "%s,%s,%s", tok, u.name, u.name)
			if len(u.groups) > 0 {
				fmt.Fprintf(&b, ",\"%s\"", strings.Join(u.groups, ","))
			}
			b.WriteString("\n")
		}
		if err := os.WriteFile(f.tokens, []byte(b.String()), 0o600); err != nil {
			return f, err
		}
	}
	return f, nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func makeCerts(f pkiFiles) error {
	now := time.Now().Add(-time.Hour)
	notAfter := now.Add(10 * 365 * 24 * time.Hour)

	caKey, caDER, err := newKey()
	if err != nil {
		return err
	}
	sn, err := serial()
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: "kvsnap-cluster-ca"},
		NotBefore:             now,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caCertDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caCertDER)
	if err != nil {
		return err
	}

	srvKey, srvDER, err := newKey()
	if err != nil {
		return err
	}
	sn, err = serial()
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default",
			"kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP(serviceIP)},
	}
	srvCertDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}

	if err := writePEM(f.caCert, "CERTIFICATE", caCertDER); err != nil {
		return err
	}
	if err := writePEM(filepath.Join(filepath.Dir(f.caCert), "ca.key"), "EC PRIVATE KEY", caDER); err != nil {
		return err
	}
	if err := writePEM(f.serverKey, "EC PRIVATE KEY", srvDER); err != nil {
		return err
	}
	return writePEM(f.serverCert, "CERTIFICATE", srvCertDER)
}

// readTokens returns user name -> token from the token file written above.
func readTokens(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(strings.TrimSpace(line), ",", 3)
		if len(parts) >= 2 {
			out[parts[1]] = parts[0]
		}
	}
	for _, u := range []string{adminUser, plainUser} {
		if out[u] == "" {
			return nil, errors.New("token file " + path + " has no token for " + u)
		}
	}
	return out, nil
}
