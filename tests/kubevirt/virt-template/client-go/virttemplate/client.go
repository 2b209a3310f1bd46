// Package virttemplate is a REST client for template.kubevirt.io/v1beta1, as far as KubeVirt uses it.
package virttemplate

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"

	"kubevirt.io/virt-template-api/core/v1beta1"
)

// Clientset gives the v1beta1 client.
type Clientset struct{ v1beta1 *TemplateV1beta1Client }

// TemplateV1beta1Client wraps a REST client for template.kubevirt.io/v1beta1.
type TemplateV1beta1Client struct{ restClient rest.Interface }

// RESTClient is the underlying REST client.
func (c *TemplateV1beta1Client) RESTClient() rest.Interface { return c.restClient }

// TemplateV1beta1 returns the v1beta1 client.
func (c *Clientset) TemplateV1beta1() *TemplateV1beta1Client { return c.v1beta1 }

// NewForConfig makes a client for the given config.
func NewForConfig(config *rest.Config) (*Clientset, error) {
	scheme := runtime.NewScheme()
	if err := v1beta1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	c := *config
	c.GroupVersion = &v1beta1.SchemeGroupVersion
	c.APIPath = "/apis"
	c.NegotiatedSerializer = serializer.NewCodecFactory(scheme).WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	client, err := rest.RESTClientFor(&c)
	if err != nil {
		return nil, err
	}
	return &Clientset{v1beta1: &TemplateV1beta1Client{restClient: client}}, nil
}
