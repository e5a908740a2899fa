package main

// lexState is where the scanner is: in code, or inside a comment or literal that may span lines.
type lexState int

const (
	inCode lexState = iota
	inBlockComment
	inString    // "..."
	inChar      // '...'
	inRawString // Go `...`, may span lines
)

// CodeLines returns the number of lines of src that hold code: anything outside a comment other
// than white space. goRaw enables Go's backquoted raw strings (in C a backquote is just a
// character). A line inside a multi-line block comment is not code; a line inside a multi-line
// raw string is.
func CodeLines(src []byte, goRaw bool) int {
	state, lines, code := inCode, 0, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			if code {
				lines++
			}
			code = state == inRawString // a raw string's next line is code too
			if state == inString || state == inChar {
				state = inCode // an unterminated literal (or a C line continuation): resync
			}
			continue
		}
		next := byte(0)
		if i+1 < len(src) {
			next = src[i+1]
		}
		switch state {
		case inBlockComment:
			if c == '*' && next == '/' {
				state, i = inCode, i+1
			}
		case inString, inChar:
			code = true
			quote := byte('"')
			if state == inChar {
				quote = '\''
			}
			if c == '\\' && next != '\n' {
				i++
			} else if c == quote {
				state = inCode
			}
		case inRawString:
			code = true
			if c == '`' {
				state = inCode
			}
		default:
			switch {
			case c == '/' && next == '/':
				for i+1 < len(src) && src[i+1] != '\n' {
					i++
				}
			case c == '/' && next == '*':
				state, i = inBlockComment, i+1
			case c == '"':
				state, code = inString, true
			case c == '\'':
				state, code = inChar, true
			case c == '`' && goRaw:
				state, code = inRawString, true
			case c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v':
				code = true
			}
		}
	}
	if code {
		lines++
	}
	return lines
}
