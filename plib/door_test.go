package plib

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// kvImportExceptions are the non-test files outside kv and plib that may import kv: none.
var kvImportExceptions = map[string]bool{}

// TestOnlyPlibImportsKV: plib is the one door into kv. No non-test Go file outside kv
// and plib imports kv, but for the exceptions listed above (each of which must still
// need the exception).
func TestOnlyPlibImportsKV(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	const kvPath = "github.com/plibcached/plibcached/kv"
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "kv" || rel == "plib" || strings.HasPrefix(rel, "plib/") || strings.HasPrefix(rel, "kv/") ||
				d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == kvPath {
				seen[rel] = true
				if !kvImportExceptions[rel] {
					t.Errorf("%s imports kv: use plib's names (plib/kv.go)", rel)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel := range kvImportExceptions {
		if !seen[rel] {
			t.Errorf("%s no longer imports kv: drop it from kvImportExceptions", rel)
		}
	}
}
