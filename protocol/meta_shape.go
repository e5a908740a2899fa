package protocol

// The shape the four meta commands share, as memcached's process_m*_command functions
// open: too few tokens is ERROR; a key over 250 bytes (and for ms, no datalen) is "bad
// command line format"; too many flags is refused; then the flags are parsed
// (preparse). Their messages and whether q can silence them differ by command, as in
// memcached: metaShape names them.
type metaShape struct {
	// quietErrors: the opening errors are out_errstring (shown despite q: mg, ms) rather
	// than out_string (md, ma).
	quietErrors bool
	// tooMany is the reply to more than mflagMaxOptLength tokens.
	tooMany string
	// flagError, if set, replaces preparse's message for a bad flag (md, ma).
	flagError string
}

var (
	mgShape = metaShape{quietErrors: true, tooMany: "CLIENT_ERROR options flags are too long"}
	msShape = metaShape{quietErrors: true, tooMany: "CLIENT_ERROR options flags too long"}
	mdShape = metaShape{tooMany: "CLIENT_ERROR options flags too long", flagError: "CLIENT_ERROR invalid or duplicate flag"}
	maShape = mdShape
)

// reply sends an opening error the way the command sends them.
func (sh *metaShape) reply(c *conn, s string) {
	if sh.quietErrors {
		c.outErrString(s)
	} else {
		c.outString(s)
	}
}

// metaOpen runs the opening checks on the command's tokens; extraBad (ms: no datalen)
// fails as a too long key does. It replies and returns false on failure.
func (c *conn) metaOpen(sh *metaShape, extraBad bool) bool {
	tk := &c.tk
	switch {
	case tk.n < 3:
		c.outString(rError)
	case len(tk.t[1]) > keyMaxLength || extraBad:
		sh.reply(c, rBadFormat)
	case tk.n > mflagMaxOptLength:
		sh.reply(c, sh.tooMany)
	default:
		return true
	}
	return false
}

// metaParse parses the flags from token start into of (preparse) and returns the key to
// use; on a bad flag it returns false with the reply to send (not yet sent: ms must
// swallow its data first).
func (c *conn) metaParse(sh *metaShape, start int, of *metaFlags) (key []byte, errstr string, ok bool) {
	errstr = rBadFormat
	key, ok = c.preparse(start, of, &errstr)
	if !ok && sh.flagError != "" {
		errstr = sh.flagError
	}
	return key, errstr, ok
}

// appendEcho appends the O (opaque) and k (key) flags a reply echoes, in the request's
// order; false if an opaque is too long.
func (c *conn) appendEcho(o, key []byte, of *metaFlags) ([]byte, bool) {
	tk := &c.tk
	for i := 2; i < tk.n-1; i++ {
		switch tok := tk.t[i]; tok[0] {
		case 'O':
			var ok bool
			if o, ok = appendOpaque(o, tok); !ok {
				return o, false
			}
		case 'k':
			o = appendKeyFlag(o, key, of.keyBinary)
		}
	}
	return o, true
}
