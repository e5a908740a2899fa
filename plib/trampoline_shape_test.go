package plib

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryEnterDefersExit keeps the shape trampoline.go documents: in the package's
// non-test sources, every statement that raises rights (X.enter() or X.raise()) outside
// enter itself is followed at once by `defer X.exit()`, so that no path out of a call,
// a panic included, leaves rights raised.
func TestEveryEnterDefersExit(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("the package's sources are not here (a test binary run elsewhere, as in the QEMU guest)")
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if fd, ok := n.(*ast.FuncDecl); ok && fd.Recv != nil && fd.Name.Name == "enter" {
				return false // enter is raise plus the clock reading
			}
			block, ok := n.(*ast.BlockStmt)
			if !ok {
				return true
			}
			for i, st := range block.List {
				recv, ok := raisesRights(st)
				if !ok {
					continue
				}
				checked++
				if i+1 >= len(block.List) || !defersExit(block.List[i+1], recv) {
					t.Errorf("%s: %s.%s() is not followed at once by defer %s.exit()",
						fset.Position(st.Pos()), recv, raiseName(st), recv)
				}
			}
			return true
		})
	}
	if checked < 15 {
		t.Fatalf("found only %d raises: the test no longer sees the trampolines", checked)
	}
}

// raisesRights reports whether st is a call X.enter() or X.raise(), and X's text.
func raisesRights(st ast.Stmt) (string, bool) {
	name := raiseName(st)
	if name != "enter" && name != "raise" {
		return "", false
	}
	call := st.(*ast.ExprStmt).X.(*ast.CallExpr)
	return exprText(call.Fun.(*ast.SelectorExpr).X), true
}

func raiseName(st ast.Stmt) string {
	es, ok := st.(*ast.ExprStmt)
	if !ok {
		return ""
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return ""
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	return sel.Sel.Name
}

// defersExit reports whether st is `defer recv.exit()`.
func defersExit(st ast.Stmt, recv string) bool {
	d, ok := st.(*ast.DeferStmt)
	if !ok || len(d.Call.Args) != 0 {
		return false
	}
	sel, ok := d.Call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "exit" && exprText(sel.X) == recv
}

// exprText renders a receiver expression (c, s.c).
func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	}
	return "?"
}
