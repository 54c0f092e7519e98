package mda

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Cloud is a Microsoft cloud: where its applications sign in, which audience its
// federated tokens carry, and under which domains its MDA portals live.
type Cloud struct {
	// Name is the value of Config.Environment: "public", "usgovernment" or "china".
	Name string
	// AuthorityURL is the Entra login host.
	AuthorityURL string
	// FederatedAudience is the audience a federated (OIDC) token must carry to be
	// exchanged in this cloud.
	FederatedAudience string
	// PortalDomains are the domains of the cloud's MDA data centres; a portal host is
	// <tenant>.<region>.<domain>. Empty when none is documented.
	PortalDomains []string
	// portalForms describes the portal URL for errors.
	portalForms string
}

// The domains come from mda-api.md 1.1 (Microsoft's network requirements page): the
// commercial data centres, GCC (which signs in through the public cloud, as XSOAR does)
// and GCC High (which signs in through login.microsoftonline.us). No MDA data centre is
// documented for the China cloud, so its portal host is not checked beyond refusing the
// other clouds' domains.
var clouds = map[string]Cloud{
	"public": {
		Name:              "public",
		AuthorityURL:      DefaultAuthorityURL,
		FederatedAudience: "api://AzureADTokenExchange",
		PortalDomains:     []string{"portal.cloudappsecurity.com", "portal.cloudappsecuritygov.com"},
		portalForms: "https://<tenant>.<region>.portal.cloudappsecurity.com (commercial data centres) or " +
			"https://<tenant>.us1.portal.cloudappsecuritygov.com (GCC)",
	},
	"usgovernment": {
		Name:              "usgovernment",
		AuthorityURL:      "https://login.microsoftonline.us",
		FederatedAudience: "api://AzureADTokenExchangeUSGov",
		PortalDomains:     []string{"portal.cloudappsecurity.us"},
		portalForms:       "https://<tenant>.us1.portal.cloudappsecurity.us (GCC High)",
	},
	"china": {
		Name:              "china",
		AuthorityURL:      "https://login.chinacloudapi.cn",
		FederatedAudience: "api://AzureADTokenExchangeChina",
		portalForms:       "the portal URL of your tenant in the China cloud",
	},
}

// CloudNames lists the valid values of Config.Environment, sorted.
func CloudNames() []string {
	names := make([]string, 0, len(clouds))
	for n := range clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupCloud returns the cloud called name; "" means "public".
func LookupCloud(name string) (Cloud, bool) {
	if name == "" {
		name = "public"
	}
	c, ok := clouds[strings.ToLower(name)]
	return c, ok
}

// CheckPortalURL refuses a portal URL whose host does not belong to the cloud: a GCC High
// portal with the public cloud's login host gets no token it can use, and the failure
// would otherwise surface as a puzzling 401. Loopback hosts (the mock) are always
// accepted. The error names the expected form.
func (c Cloud) CheckPortalURL(raw string) error {
	var host string
	if u, err := url.Parse(raw); err == nil {
		host = strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	}
	// A malformed URL is the URL checks' to report.
	if host == "" || IsLoopback(host) {
		return nil
	}
	if owner, domain := cloudOfHost(host); owner != "" {
		switch {
		case owner == c.Name && host == domain:
			return fmt.Errorf("the portal URL %q is the generic portal host, which is slow and sometimes answers for the wrong tenant: "+
				"use your tenant's own URL, %s, shown in the Microsoft Defender portal under Settings → Cloud Apps → System → About", raw, c.portalForms)
		case owner == c.Name:
			return nil
		default:
			return fmt.Errorf("the portal URL %q belongs to the %s cloud, but the environment is %q: set the environment to %q, "+
				"or use a portal URL of the form %s", raw, owner, c.Name, owner, c.portalForms)
		}
	}
	if len(c.PortalDomains) == 0 {
		return nil
	}
	return fmt.Errorf("the portal URL %q is not an MDA portal of the %s cloud: it must look like %s", raw, c.Name, c.portalForms)
}

// cloudOfHost names the cloud whose portal domain host is, or is under, and that domain.
func cloudOfHost(host string) (cloud, domain string) {
	for _, c := range clouds {
		for _, d := range c.PortalDomains {
			if host == d || strings.HasSuffix(host, "."+d) {
				return c.Name, d
			}
		}
	}
	return "", ""
}
