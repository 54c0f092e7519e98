package mockserver

import (
	"fmt"
	"strings"
	"time"
)

// builtInIPTags are the built-in IP tags and their fixed ids, from MCASPS's $IPTagsList
// (mda-api.md 2.1). Display names are the keys with spaces; the real display names are
// localised from nameTemplate and not known exactly ([U]).
var builtInIPTags = []struct{ key, id string }{
	{"Akamai_Technologies", "0000002d0000000000000000"},
	{"Amazon_Web_Services", "000000290000000000000000"},
	{"Anonymous_proxy", "000000030000000000000000"},
	{"Ascenty_Data_Centers", "0000002f0000000000000000"},
	{"Botnet", "0000000c0000000000000000"},
	{"Brute_force_attacker", "000000380000000000000000"},
	{"Cisco_CWS", "000000270000000000000000"},
	{"Cloud_App_Security_network", "000000050000000000000000"},
	{"Darknet_scanning_IP", "0000001f0000000000000000"},
	{"Exchange_Online", "0000000e0000000000000000"},
	{"Exchange_Online_Protection", "000000150000000000000000"},
	{"Google_Cloud_Platform", "000000280000000000000000"},
	{"Internal_Network_IP", "000000310000000000000000"},
	{"Malware_CnC_server", "0000000d0000000000000000"},
	{"Masergy_Communications", "0000002e0000000000000000"},
	{"McAfee_Web_Gateway", "0000002c0000000000000000"},
	{"Microsoft_Azure", "0000002a0000000000000000"},
	{"Microsoft_Cloud", "0000001e0000000000000000"},
	{"Microsoft_Hosting", "0000003a0000000000000000"},
	{"Microsoft_authentication_and_identity", "000000100000000000000000"},
	{"Office_365", "000000170000000000000000"},
	{"Office_365_Planner", "000000190000000000000000"},
	{"Office_365_ProPlus", "000000120000000000000000"},
	{"Office_Online", "000000140000000000000000"},
	{"Office_Sway", "0000001d0000000000000000"},
	{"Office_Web_Access_Companion", "0000001a0000000000000000"},
	{"OneNote", "000000130000000000000000"},
	{"Remote_Connectivity_Analyzer", "0000001c0000000000000000"},
	{"Salesforce_Cloud", "000000390000000000000000"},
	{"Satellite_provider", "000000040000000000000000"},
	{"ScanSafe", "000000300000000000000000"},
	{"SharePoint_Online", "0000000f0000000000000000"},
	{"Skype_for_Business_Online", "000000180000000000000000"},
	{"Symantec_Cloud", "000000330000000000000000"},
	{"Tor", "2dfa95cd7922d979d66fcff5"},
	{"Yammer", "0000001b0000000000000000"},
	{"Zscaler", "000000160000000000000000"},
}

// builtInRanges are the Microsoft-provided ranges every tenant starts with. The real set
// is larger and unknown; three are enough to prove a client hides them (the builtIn
// filter) and does not collide with their names.
var builtInRanges = []struct {
	name     string
	category int
	org      string
	tagID    string
	cidrs    []string
}{
	{"Microsoft Azure", 5, "Microsoft Corporation", "0000002a0000000000000000", []string{"13.64.0.0/11", "20.33.0.0/16", "2603:1000::/24"}},
	{"Amazon Web Services", 5, "Amazon.com, Inc.", "000000290000000000000000", []string{"3.0.0.0/15", "52.94.0.0/16"}},
	{"Tor exit nodes", 3, "", "2dfa95cd7922d979d66fcff5", []string{"185.220.100.0/22", "185.220.101.1"}},
}

func (st *store) seedBuiltIns(now time.Time) {
	for _, bt := range builtInIPTags {
		name := strings.ReplaceAll(bt.key, "_", " ")
		st.tags = append(st.tags, &tag{
			dbID:        st.newObjectID(),
			id:          bt.id,
			name:        name,
			typ:         2,
			description: "IP addresses used by " + name,
			template:    strings.ToUpper(bt.key),
		})
	}
	for _, br := range builtInRanges {
		s := &subnet{
			id:           st.newObjectID(),
			name:         br.name,
			category:     br.category,
			tagIDs:       []string{br.tagID},
			builtIn:      true,
			lastModified: lastModified(now),
		}
		if br.org != "" {
			org := br.org
			s.organization = &org
		}
		for _, c := range br.cidrs {
			n, _, err := normalizeSubnet(c)
			if err != nil {
				panic(fmt.Sprintf("mockserver: built-in range %q: %v", br.name, err))
			}
			s.cidrs = append(s.cidrs, n)
		}
		st.insert(s)
	}
}

// seedCustom adds n custom ranges with distinct names and CIDRs. Categories, tags and
// organizations vary with the seed so that filters and sorts have something to do.
func (st *store) seedCustom(n int, prefix string, now time.Time) []*subnet {
	if prefix == "" {
		prefix = "seeded-range-"
	}
	out := make([]*subnet, 0, n)
	for len(out) < n {
		st.seeded++
		k := st.seeded
		name := fmt.Sprintf("%s%04d", prefix, k)
		if st.subnetByName(name) != nil {
			continue
		}
		cidr := fmt.Sprintf("10.%d.%d.0/24", (k>>8)&0xff, k&0xff)
		if k >= 1<<16 {
			cidr = fmt.Sprintf("fd00:%x:%x::/48", k>>16, k&0xffff)
		}
		c, _, _ := normalizeSubnet(cidr)
		h := splitmix(st.seed ^ uint64(k))
		s := &subnet{
			id:           st.newObjectID(),
			name:         name,
			category:     int(h%6) + 1,
			cidrs:        []SubnetCIDR{c},
			lastModified: lastModified(now),
		}
		if (h>>8)%2 == 0 {
			org := "Contoso ISP"
			s.organization = &org
		}
		if (h>>16)%3 == 0 {
			s.tagIDs = st.resolveTags([]string{"seeded"})
		}
		st.insert(s)
		out = append(out, s)
	}
	return out
}
