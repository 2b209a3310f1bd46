//go:build !kubevirt_v1_9

package main

import (
	"kubevirt.io/client-go/kubecli"

	"kubevirt.io/kubevirt/pkg/controller"
)

// newInformerFactory: up to v1.8 the factory takes the REST client, the KubeVirt client and an aggregator client.
func newInformerFactory(virtCli kubecli.KubevirtClient, namespace string) controller.KubeInformerFactory {
	return controller.NewKubeInformerFactory(virtCli.RestClient(), virtCli, nil, namespace)
}
