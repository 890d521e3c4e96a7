package reference

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestIndependentApp keeps the reference an app apart from hsemu (see the package doc): its
// code imports no package of hsemu, so it cannot share a rule with the checker. Its tests may
// use the emulator as HubSpot.
func TestIndependentApp(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/hsemu/hsemu/") {
				t.Errorf("%s imports %s; the reference keeps its own copy of HubSpot's facts", f, path)
			}
		}
	}
}
