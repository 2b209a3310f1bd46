// Command kvsnap-cluster runs a single-process Kubernetes control plane for
// the integration tests of pulumi-kubevirt-snapshot: an embedded etcd plus an
// in-process kube-apiserver, listening on 127.0.0.1 only.
//
// It prints exactly one line to stdout,
//
//	READY <admin-kubeconfig> <user-kubeconfig> <https-url>
//
// once /readyz answers ok, and exits 0 after a clean shutdown on SIGTERM or
// SIGINT (apiserver first, then etcd). All state lives under --data-dir, so a
// restart with the same --data-dir keeps the stored objects, the CA and the
// tokens. There is no controller-manager, scheduler or kubelet.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/logutil"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/component-base/cli"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

const (
	prog        = "kvsnap-cluster"
	serviceCIDR = "10.0.0.0/24"
	serviceIP   = "10.0.0.1" // first address of serviceCIDR: the "kubernetes" Service
)

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, prog+": "+format+"\n", args...)
	os.Exit(1)
}

// freePort asks the kernel for an unused loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func main() {
	// The READY line is the only thing this program writes to stdout; anything
	// a library prints with fmt.Print* goes to stderr instead.
	stdout := os.Stdout
	os.Stdout = os.Stderr

	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "directory for etcd data, keys, token file and kubeconfigs (required; reused on restart)")
	port := fs.Int("port", 0, "apiserver HTTPS port on 127.0.0.1 (0 = pick a free one)")
	etcdPort := fs.Int("etcd-port", 0, "etcd client port on 127.0.0.1 (0 = pick a free one)")
	readyTimeout := fs.Duration("ready-timeout", 5*time.Minute, "give up (exit 1) if /readyz is not ok within this time")
	verbosity := fs.Int("v", 0, "kube-apiserver log verbosity")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *dataDir == "" {
		fatal("--data-dir is required")
	}
	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		fatal("%v", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fatal("%v", err)
	}

	// Creating the command installs the process-wide SIGTERM/SIGINT handler
	// (k8s.io/apiserver allows only one); do it first so that a signal during
	// etcd start-up is also handled. Its context is cancelled by the first
	// signal; a second signal exits immediately with status 1.
	cmd := app.NewAPIServerCommand()
	ctx := cmd.Context()

	if *port == 0 {
		if *port, err = freePort(); err != nil {
			fatal("%v", err)
		}
	}
	if *etcdPort == 0 {
		if *etcdPort, err = freePort(); err != nil {
			fatal("%v", err)
		}
	}

	pki, err := ensurePKI(filepath.Join(dir, "pki"))
	if err != nil {
		fatal("%v", err)
	}
	tokens, err := readTokens(pki.tokens)
	if err != nil {
		fatal("%v", err)
	}
	caPEM, err := os.ReadFile(pki.caCert)
	if err != nil {
		fatal("%v", err)
	}

	server := "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))
	adminKC := filepath.Join(dir, "admin.kubeconfig")
	userKC := filepath.Join(dir, "user.kubeconfig")
	if err := writeKubeconfig(adminKC, server, caPEM, adminUser, tokens[adminUser]); err != nil {
		fatal("writing %s: %v", adminKC, err)
	}
	if err := writeKubeconfig(userKC, server, caPEM, plainUser, tokens[plainUser]); err != nil {
		fatal("writing %s: %v", userKC, err)
	}

	etcd, etcdURL, err := startEtcd(ctx, filepath.Join(dir, "etcd"), *etcdPort)
	if err != nil {
		fatal("etcd: %v", err)
	}
	closeEtcd := sync.OnceFunc(func() {
		etcdLogLevel.SetLevel(zap.FatalLevel) // etcd logs its closing listeners as errors
		done := make(chan struct{})
		go func() { etcd.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			fmt.Fprintf(os.Stderr, "%s: etcd did not stop within 20s\n", prog)
		}
	})
	if ctx.Err() != nil { // signalled while etcd was starting
		closeEtcd()
		os.Exit(0)
	}
	// kube-apiserver ends the process with klog.Fatal when a post-start hook
	// fails, which is what happens to hooks still running when a signal
	// arrives before the server is ready. Stop etcd in every case, and treat
	// that as the requested clean shutdown (exit 0) when a signal came first.
	var exiting sync.Mutex
	klog.OsExit = func(code int) {
		exiting.Lock() // the first caller exits the process; later ones wait for that
		if ctx.Err() != nil {
			fmt.Fprintf(os.Stderr, "%s: shutdown requested during start-up; kube-apiserver aborted (status %d), exiting 0\n", prog, code)
			code = 0
		}
		closeEtcd()
		os.Exit(code)
	}

	cmd.SetArgs(append([]string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(*port),
		"--cert-dir=" + filepath.Join(dir, "pki"),
		"--tls-cert-file=" + pki.serverCert,
		"--tls-private-key-file=" + pki.serverKey,
		"--token-auth-file=" + pki.tokens,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki.saKey,
		"--service-account-signing-key-file=" + pki.saKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		// ValidatingAdmissionPolicy is on by default since 1.30; listing it
		// makes the requirement explicit. ServiceAccount admission is off
		// because without a controller-manager no "default" ServiceAccount
		// exists and every Pod create would be rejected (same as envtest).
		"--enable-admission-plugins=ValidatingAdmissionPolicy",
		"--disable-admission-plugins=ServiceAccount",
		"--allow-privileged=true",
		// A loopback address may not be written into the "kubernetes" Endpoints.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
		"--v=" + strconv.Itoa(*verbosity),
	}, extraFlags()...))

	go announceReady(ctx, stdout, server, caPEM, tokens[adminUser], adminKC, userKC, *readyTimeout)

	code := cli.Run(cmd) // returns after the signal context is cancelled and the server drained
	closeEtcd()
	if code == 0 && readyFailed.Load() {
		code = 1
	}
	os.Exit(code)
}

// extraFlagsEnv names further kube-apiserver flags, separated by white space, appended after the launcher's
// own (so they win). The bench (tests/bench) sets it to turn on an audit policy and log; the ground passes
// its environment on to this process, so no ground option is needed.
const extraFlagsEnv = "KVSNAP_APISERVER_FLAGS"

func extraFlags() []string {
	return strings.Fields(os.Getenv(extraFlagsEnv))
}

var etcdLogLevel = zap.NewAtomicLevelAt(zap.WarnLevel)

func startEtcd(ctx context.Context, dir string, clientPort int) (*embed.Etcd, string, error) {
	peerPort, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cu := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(clientPort))}
	pu := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(peerPort))}

	cfg := embed.NewConfig()
	cfg.Name = "kvsnap"
	cfg.Dir = dir
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	// etcd logs to stderr at warn level. Its own logger (instead of
	// cfg.LogLevel) lets main silence the errors etcd reports for its
	// listeners while it is being closed.
	zc := logutil.DefaultZapLoggerConfig
	zc.Level = etcdLogLevel
	zc.OutputPaths, zc.ErrorOutputPaths = []string{"stderr"}, []string{"stderr"}
	lg, err := zc.Build()
	if err != nil {
		return nil, "", err
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	// embed.NewConfig leaves this at 0, which logs every request as slow.
	cfg.WarningUnaryRequestDuration = embed.DefaultWarningUnaryRequestDuration
	// Test data: skip fsync (a clean shutdown or a killed process still keeps
	// everything; only a machine crash could lose recent writes).
	cfg.UnsafeNoFsync = true

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, "", err
	case <-ctx.Done():
	case <-time.After(2 * time.Minute):
		e.Close()
		return nil, "", fmt.Errorf("not ready after 2m")
	}
	return e, cu.String(), nil
}

func writeKubeconfig(path, server string, caPEM []byte, userName, token string) error {
	c := clientcmdapi.NewConfig()
	c.Clusters["kvsnap"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	c.AuthInfos[userName] = &clientcmdapi.AuthInfo{Token: token}
	c.Contexts["kvsnap"] = &clientcmdapi.Context{Cluster: "kvsnap", AuthInfo: userName, Namespace: "default"}
	c.CurrentContext = "kvsnap"
	return clientcmd.WriteToFile(*c, path)
}

// readyFailed is set when /readyz never answered ok; main then exits 1.
var readyFailed atomic.Bool

func announceReady(ctx context.Context, out *os.File, server string, caPEM []byte, token, adminKC, userKC string, timeout time.Duration) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	hc := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Fprintf(out, "READY %s %s %s\n", adminKC, userKC, server)
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "%s: /readyz not ok after %s, shutting down\n", prog, timeout)
	readyFailed.Store(true)
	genericapiserver.RequestShutdown()
}
