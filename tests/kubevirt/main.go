// Command kvsnap-kubevirt runs KubeVirt's own code on the test ground, for one KubeVirt version per build:
//
//	kvsnap-kubevirt crds
//	    prints the CRDs KubeVirt's own generator makes (VM, VMI, snapshot, content, restore, KubeVirt) as YAML.
//	kvsnap-kubevirt run --kubeconfig <file> --cert-dir <dir>
//	    runs KubeVirt's VMSnapshotController and VMRestoreController, wired as virt-controller wires them, and
//	    serves KubeVirt's snapshot and restore admitters as a validating webhook (registered with KubeVirt's own
//	    webhook rules). Prints "KUBEVIRT READY <version> <webhook url>" once both are up.
//
// Nothing here decides what a snapshot or restore does: that is KubeVirt's code. This file only starts it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/client-go/tools/clientcmd"
	"kubevirt.io/client-go/kubecli"
	"kubevirt.io/client-go/log"
)

// kubevirtVersion is stamped by build.sh (-X main.kubevirtVersion=...).
var kubevirtVersion = "unknown"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "crds" {
		if err := printCRDs(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "crds:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println(kubevirtVersion)
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "run" {
		fmt.Fprintln(os.Stderr, "usage: kvsnap-kubevirt crds | version | run --kubeconfig <file> --cert-dir <dir>")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "admin kubeconfig of the ground")
	certDir := fs.String("cert-dir", "", "where the webhook's serving certificate is written")
	namespace := fs.String("namespace", "kubevirt", "KubeVirt's install namespace (where the KubeVirt CR lives)")
	_ = fs.Parse(os.Args[2:])
	// KubeVirt's logger drops Info lines unless it is initialised after flag parsing.
	log.InitializeLogging("virt-controller")
	if err := run(*kubeconfig, *certDir, *namespace); err != nil {
		fmt.Fprintln(os.Stderr, "kvsnap-kubevirt:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, certDir, namespace string) error {
	if kubeconfig == "" || certDir == "" {
		return fmt.Errorf("--kubeconfig and --cert-dir are required")
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	config.QPS, config.Burst = 200, 400
	virtCli, err := kubecli.GetKubevirtClientFromRESTConfig(config)
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	started, err := startControllers(ctx, virtCli, namespace)
	if err != nil {
		return err
	}
	url, err := serveWebhook(ctx, virtCli, started, certDir, namespace)
	if err != nil {
		return err
	}
	fmt.Printf("KUBEVIRT READY %s %s\n", kubevirtVersion, url)
	<-ctx.Done()
	return nil
}
