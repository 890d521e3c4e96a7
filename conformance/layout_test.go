package conformance_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMELayout keeps the README's layout section true: it names every Go package of the
// repository, and nothing else.
func TestREADMELayout(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- layout:begin", "<!-- layout:end -->"
	text := string(readme)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no layout markers %q … %q", begin, end)
	}
	entry := regexp.MustCompile("(?m)^\\s*- `([a-z0-9/]+)/?`")
	var listed []string
	for _, m := range entry.FindAllStringSubmatch(text[i:j], -1) {
		listed = append(listed, strings.TrimSuffix(m[1], "/"))
	}
	var packages []string
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "node_modules", ".git", "docs", ".ci":
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			dir := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(p, "../")))
			if !slices.Contains(packages, dir) {
				packages = append(packages, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(listed)
	slices.Sort(packages)
	for _, p := range packages {
		if !slices.Contains(listed, p) {
			t.Errorf("README.md's layout section does not list package %s", p)
		}
	}
	for _, p := range listed {
		if !slices.Contains(packages, p) {
			t.Errorf("README.md's layout section lists %s, which is not a package of the tree", p)
		}
	}
}
