package emulator

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/hsemu/hsemu/emulator/hubspot"
)

// A state file is outside input: a person may edit it, a disk may damage it. Every record is
// checked after decoding, so a bad one is refused at start with the field that is wrong instead
// of making a handler fail later (a null code once panicked while the state lock was held).

// check checks every record of a decoded snapshot.
func (s *state) check() error {
	if len(s.Key) != 0 && len(s.Key) < 16 {
		return fmt.Errorf("key has %d bytes; want at least 16", len(s.Key))
	}
	if s.NextAppID < 0 || s.NextHubID < 0 {
		return errors.New("nextAppId and nextHubId must not be negative")
	}
	if err := checkApps(s.Apps); err != nil {
		return err
	}
	if err := checkPortals(s.Portals); err != nil {
		return err
	}
	for k, r := range s.Codes {
		if err := checkCode(k, r); err != nil {
			return err
		}
	}
	for h, sc := range s.Spent {
		if err := checkSpent(h, &sc); err != nil {
			return err
		}
	}
	refresh := map[string]string{}
	for k, g := range s.Grants {
		if err := checkGrant(k, g); err != nil {
			return err
		}
		if g.RefreshToken != "" {
			if other, dup := refresh[g.RefreshToken]; dup {
				return fmt.Errorf("grants[%q] and grants[%q] share a refresh token", other, k)
			}
			refresh[g.RefreshToken] = k
		}
	}
	for k, in := range s.Installs {
		if err := checkInstall(k, in); err != nil {
			return err
		}
	}
	return checkJournal(s.Journal)
}

// check checks the records of a journal line; null stands for a deleted record.
func (p *statePatch) check() error {
	if m := p.Meta; m != nil {
		if len(m.Key) < 16 {
			return fmt.Errorf("meta.key has %d bytes; want at least 16", len(m.Key))
		}
		if err := checkApps(m.Apps); err != nil {
			return fmt.Errorf("meta.%w", err)
		}
		if err := checkPortals(m.Portals); err != nil {
			return fmt.Errorf("meta.%w", err)
		}
	}
	for k, r := range p.Codes {
		if r != nil {
			if err := checkCode(k, r); err != nil {
				return err
			}
		}
	}
	for h, sc := range p.Spent {
		if sc != nil {
			if err := checkSpent(h, sc); err != nil {
				return err
			}
		}
	}
	for k, g := range p.Grants {
		if g != nil {
			if err := checkGrant(k, g); err != nil {
				return err
			}
		}
	}
	for k, in := range p.Installs {
		if in != nil {
			if err := checkInstall(k, in); err != nil {
				return err
			}
		}
	}
	return checkJournal(p.Journal)
}

func checkApps(apps []*App) error {
	seen := map[string]bool{}
	for i, a := range apps {
		switch {
		case a == nil:
			return fmt.Errorf("apps[%d] is null", i)
		case a.ClientID == "":
			return fmt.Errorf("apps[%d].ClientID is empty", i)
		case a.ClientSecret == "":
			return fmt.Errorf("apps[%d].ClientSecret is empty", i)
		case a.ID <= 0:
			return fmt.Errorf("apps[%d].ID is %d; want a positive number", i, a.ID)
		case seen[a.ClientID]:
			return fmt.Errorf("apps[%d].ClientID %q is used by an earlier app", i, a.ClientID)
		}
		seen[a.ClientID] = true
		c := cloneApp(*a)
		if err := validateApp(&c); err != nil {
			return fmt.Errorf("apps[%d]: %w", i, err)
		}
	}
	return nil
}

func checkPortals(portals []*Portal) error {
	seen := map[int64]bool{}
	for i, p := range portals {
		switch {
		case p == nil:
			return fmt.Errorf("portals[%d] is null", i)
		case p.HubID <= 0:
			return fmt.Errorf("portals[%d].HubID is %d; want a positive number", i, p.HubID)
		case seen[p.HubID]:
			return fmt.Errorf("portals[%d].HubID %d is used by an earlier portal", i, p.HubID)
		case !hubspot.IsHublet(p.Hublet):
			return fmt.Errorf("portals[%d].Hublet %q is not like na1 or eu1", i, p.Hublet)
		}
		seen[p.HubID] = true
		for _, s := range p.Scopes {
			if !KnownScope(s) {
				return fmt.Errorf("portals[%d].Scopes: %q is not a HubSpot scope", i, s)
			}
		}
	}
	return nil
}

func checkCode(k string, r *codeRecord) error {
	switch {
	case r == nil:
		return fmt.Errorf("codes[%q] is null", k)
	case k == "":
		return errors.New(`codes[""]: a code is never empty`)
	case r.ClientID == "":
		return fmt.Errorf("codes[%q].clientId is empty", k)
	case r.HubID <= 0:
		return fmt.Errorf("codes[%q].hubId is %d; want a positive number", k, r.HubID)
	case r.Expires == 0:
		return fmt.Errorf("codes[%q].expires is missing", k)
	case r.GrantID != "" && !isGrantID(r.GrantID):
		return fmt.Errorf("codes[%q].grantId %q is not 16 hex digits", k, r.GrantID)
	}
	return nil
}

func checkGrant(k string, g *grant) error {
	switch {
	case g == nil:
		return fmt.Errorf("grants[%q] is null", k)
	case !isGrantID(k):
		return fmt.Errorf("grants[%q]: the key is not 16 hex digits", k)
	case g.ID != k:
		return fmt.Errorf("grants[%q].id is %q; want the key", k, g.ID)
	case g.ClientID == "":
		return fmt.Errorf("grants[%q].clientId is empty", k)
	case !g.ClientCredentials && g.HubID <= 0:
		return fmt.Errorf("grants[%q].hubId is %d; want a positive number", k, g.HubID)
	case !g.ClientCredentials && g.RefreshToken == "":
		return fmt.Errorf("grants[%q].refreshToken is empty", k)
	}
	return nil
}

func isGrantID(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 8
}

func checkInstall(k string, in *install) error {
	switch {
	case in == nil:
		return fmt.Errorf("installs[%q] is null", k)
	case k != installKey(in.ClientID, in.HubID):
		return fmt.Errorf("installs[%q] is for %q; want the key to be clientId/hubId", k, installKey(in.ClientID, in.HubID))
	}
	return nil
}

func checkJournal(entries []*journalEntry) error {
	for i, en := range entries {
		switch {
		case en == nil:
			return fmt.Errorf("journal[%d] is null", i)
		case en.Offset == "":
			return fmt.Errorf("journal[%d].offset is empty", i)
		case en.Action != actionAppInstall && en.Action != actionAppUninstall:
			return fmt.Errorf("journal[%d].action %s is not %s or %s", i, strconv.Quote(en.Action), actionAppInstall, actionAppUninstall)
		}
	}
	return nil
}
