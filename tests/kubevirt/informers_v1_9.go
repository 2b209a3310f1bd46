//go:build kubevirt_v1_9

package main

import (
	"kubevirt.io/client-go/kubecli"

	"kubevirt.io/kubevirt/pkg/controller"
)

// newInformerFactory: from v1.9 the factory also takes a kubernetes.Interface (virt-controller passes its
// KubeVirt client twice).
func newInformerFactory(virtCli kubecli.KubevirtClient, namespace string) controller.KubeInformerFactory {
	return controller.NewKubeInformerFactory(virtCli.RestClient(), virtCli, virtCli, nil, namespace)
}
