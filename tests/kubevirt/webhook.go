package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"kubevirt.io/client-go/kubecli"

	storageadmitters "kubevirt.io/kubevirt/pkg/storage/admitters"
	validating_webhooks "kubevirt.io/kubevirt/pkg/util/webhooks/validating-webhooks"
	"kubevirt.io/kubevirt/pkg/virt-operator/resource/generate/components"
)

// The webhooks of KubeVirt's virt-api validating configuration that this binary serves.
var servedWebhooks = map[string]string{
	"virtualmachinesnapshot-validator.snapshot.kubevirt.io": components.VMSnapshotValidatePath,
	"virtualmachinerestore-validator.snapshot.kubevirt.io":  components.VMRestoreValidatePath,
}

// serveWebhook serves KubeVirt's snapshot and restore admitters over TLS on a loopback port and registers
// them with KubeVirt's own webhook rules (from virt-operator's generator), pointed at that port by URL.
func serveWebhook(ctx context.Context, virtCli kubecli.KubevirtClient, s *started, certDir, namespace string) (string, error) {
	certPEM, keyPEM, err := selfSignedCert()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return "", err
	}
	for name, data := range map[string][]byte{"tls.crt": certPEM, "tls.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(certDir, name), data, 0o600); err != nil {
			return "", err
		}
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc(components.VMSnapshotValidatePath, func(w http.ResponseWriter, r *http.Request) {
		validating_webhooks.Serve(w, r, storageadmitters.NewVMSnapshotAdmitter(s.clusterConfig, virtCli))
	})
	mux.HandleFunc(components.VMRestoreValidatePath, func(w http.ResponseWriter, r *http.Request) {
		validating_webhooks.Serve(w, r, storageadmitters.NewVMRestoreAdmitter(s.clusterConfig, virtCli, s.restoreInformer))
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	server := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}}}
	go func() { _ = server.ServeTLS(listener, "", "") }()
	go func() { <-ctx.Done(); _ = server.Close() }()
	base := "https://" + listener.Addr().String()
	if err := registerWebhooks(ctx, virtCli, base, certPEM, namespace); err != nil {
		return "", err
	}
	return base, nil
}

// registerWebhooks creates (or replaces) KubeVirt's validating configuration, keeping only the served webhooks.
func registerWebhooks(ctx context.Context, virtCli kubecli.KubevirtClient, base string, ca []byte, namespace string) error {
	config := components.NewVirtAPIValidatingWebhookConfiguration(namespace)
	kept := config.Webhooks[:0]
	for _, webhook := range config.Webhooks {
		path, ok := servedWebhooks[webhook.Name]
		if !ok {
			continue
		}
		url := base + path
		webhook.ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca}
		kept = append(kept, webhook)
	}
	if len(kept) != len(servedWebhooks) {
		return fmt.Errorf("KubeVirt's webhook configuration has %d of the %d snapshot/restore webhooks", len(kept), len(servedWebhooks))
	}
	config.Webhooks = kept
	api := virtCli.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	live, err := api.Get(ctx, config.Name, metav1.GetOptions{})
	switch {
	case k8serrors.IsNotFound(err):
		_, err = api.Create(ctx, config, metav1.CreateOptions{})
	case err == nil:
		config.ResourceVersion = live.ResourceVersion
		_, err = api.Update(ctx, config, metav1.UpdateOptions{})
	}
	return err
}
