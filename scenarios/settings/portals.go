package settings

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hsemu/hsemu/emulator"
	"github.com/hsemu/hsemu/emulator/hubspot"
)

// A portal is given as "hub=1234567,domain=acme.example.com,email=admin@acme.example.com,hublet=eu1,scopes=oauth crm.objects.contacts.read".
// Every field is optional; scopes (space-separated) is the tier's grant: an optional scope the
// portal lacks is dropped at install, a required or conditionally required one fails it.

// parsePortals reads HSEMU_PORTALS: portals as --portal takes them, separated by ";".
func parsePortals(v string) ([]emulator.Portal, error) {
	var out []emulator.Portal
	for _, part := range strings.Split(v, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		p, err := parsePortal(part)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func parsePortal(v string) (emulator.Portal, error) {
	var p emulator.Portal
	for _, field := range strings.Split(v, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		key, val, ok := strings.Cut(field, "=")
		if !ok {
			return p, fmt.Errorf("portal field %q is not key=value (keys: hub, domain, email, hublet, scopes)", field)
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "hub":
			id, err := strconv.ParseInt(val, 10, 64)
			if err != nil || id <= 0 {
				return p, fmt.Errorf("portal hub %q is not a positive number (a hub ID, e.g. hub=1234567)", val)
			}
			p.HubID = id
		case "domain":
			p.Domain = val
		case "email":
			if !strings.Contains(val, "@") {
				return p, fmt.Errorf("portal email %q is not an e-mail address", val)
			}
			p.UserEmail = val
		case "hublet":
			p.Hublet = val
		case "scopes": //nolint:goconst // a portal field, unrelated to the --scopes flag
			p.Scopes = strings.Fields(val)
			for _, s := range p.Scopes {
				if !hubspot.KnownScope(s) {
					return p, fmt.Errorf("portal scope %q is not a HubSpot scope", s)
				}
			}
			if p.Scopes == nil {
				p.Scopes = []string{}
			}
		default:
			return p, fmt.Errorf("unknown portal field %q (keys: hub, domain, email, hublet, scopes)", key)
		}
	}
	return p, nil
}
