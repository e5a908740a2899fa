package workloads

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// Properties is a YCSB property set: property name to its value, as text. Values are parsed
// and checked by NewCoreWorkload.
type Properties map[string]string

// LoadProperties builds a property set the way YCSB's command line does: the -P files in
// order, then the -p "key=value" overrides in order, a later setting replacing an earlier one.
// Files use Java's .properties syntax (# and ! comments, key=value, key:value or "key value",
// backslash continuation lines and escapes).
//
// A file name with no directory part that does not exist on disk, but names one of the
// workloads built into this package (Builtin), is read from the built-in copy, so "-P
// workloada" works from any directory.
//
// warnings lists what is suspect but not fatal, one line each: unknown property names (with
// the closest known name when there is one), and a workload class other than CoreWorkload. err is an ErrBadProperty for an unreadable file
// or an override without "=".
func LoadProperties(files []string, overrides []string) (props Properties, warnings []string, err error) {
	props = Properties{}
	origin := map[string]string{}
	for _, name := range files {
		data, err := readPropertyFile(name)
		if err != nil {
			return nil, nil, err
		}
		for _, kv := range parseJavaProperties(string(data)) {
			props[kv.key] = kv.value
			origin[kv.key] = fmt.Sprintf("%s:%d", name, kv.line)
		}
	}
	for _, o := range overrides {
		key, value, ok := strings.Cut(o, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, nil, fmt.Errorf("%w: override %q is not key=value", ErrBadProperty, o)
		}
		props[key] = value
		origin[key] = "-p " + o
	}
	warnings = unknownPropertyWarnings(props, origin)
	if wl, ok := props["workload"]; ok && !strings.HasSuffix(strings.TrimSpace(wl), "CoreWorkload") {
		warnings = append(warnings, fmt.Sprintf("workload=%s (%s): only CoreWorkload is implemented; it is used instead", wl, origin["workload"]))
	}
	return props, warnings, nil
}

// readPropertyFile reads a -P file, falling back to a built-in workload of that name.
func readPropertyFile(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err == nil {
		return data, nil
	}
	if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(name, `/\`) {
		if b, berr := builtinFS.ReadFile(name); berr == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: property file: %w", ErrBadProperty, err)
}

// unknownPropertyWarnings returns one warning per property name this package does not know,
// sorted by name.
func unknownPropertyWarnings(p Properties, origin map[string]string) []string {
	var warnings []string
	for key := range p {
		if isKnownProperty(key) {
			continue
		}
		w := fmt.Sprintf("unknown property %q (%s) is ignored", key, origin[key])
		if guess := closestProperty(key); guess != "" {
			w += fmt.Sprintf("; did you mean %q?", guess)
		}
		warnings = append(warnings, w)
	}
	sort.Strings(warnings)
	return warnings
}

// propertyLine is one key/value pair of a .properties file and the line it starts on.
type propertyLine struct {
	key, value string
	line       int
}

// parseJavaProperties parses text in the syntax of java.util.Properties.load: every line that
// is not blank or a comment holds a key/value pair; a pair continues over the next line while
// its line ends in an odd number of backslashes.
func parseJavaProperties(text string) []propertyLine {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	var out []propertyLine
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for endsInEscape(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + strings.TrimLeft(lines[i], " \t\f")
		}
		if endsInEscape(line) {
			line = line[:len(line)-1]
		}
		key, value := splitPropertyLine(line)
		out = append(out, propertyLine{key: unescapeProperty(key), value: unescapeProperty(value), line: start})
	}
	return out
}

// endsInEscape reports whether line ends in an odd number of backslashes (a continuation).
func endsInEscape(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitPropertyLine splits a logical line at the first unescaped '=', ':' or white space; white
// space around the separator, and one '=' or ':' after white space, belong to neither part.
func splitPropertyLine(line string) (key, value string) {
	end := len(line)
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if strings.IndexByte("=: \t\f", line[i]) >= 0 {
			end = i
			break
		}
	}
	key, rest := line[:end], strings.TrimLeft(line[end:], " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	return key, rest
}

// unescapeProperty resolves Java's escapes: \t \n \r \f, \uXXXX, and \c for any other c.
func unescapeProperty(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if r, ok := parseHex4(s[i+1:]); ok {
				b.WriteRune(r)
				i += 4
			} else {
				b.WriteByte('u')
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseHex4 parses the 4 hex digits of a \uXXXX escape.
func parseHex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		d, ok := hexDigit(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}
