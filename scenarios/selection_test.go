package scenarios

import (
	"strings"
	"testing"
)

func TestValidateSelection(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string // "" for no error
	}{
		{Options{Only: []string{"seamless/"}}, ""},
		{Options{Only: []string{"seamless/install/concurrent"}}, "--repeat 2 or more"},
		{Options{Only: []string{"seamless/install/concurrent"}, Repeat: 2}, ""},
		{Options{Only: []string{"seamless/install/concurrent"}, Profile: ProfileListing}, ""},
		{Options{Only: []string{"listing/*"}}, "--profile listing"},
		{Options{Only: []string{"nope"}}, `--only "nope" matches no check ID`},
	} {
		err := ValidateSelection(tc.opts)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v; want no error", tc.opts.Only, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v (repeat %d): %v; want an error with %q", tc.opts.Only, tc.opts.Repeat, err, tc.want)
		}
	}
}
