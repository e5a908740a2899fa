package handoff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Peer is a connected process as the kernel recorded it when it called connect(2)
// (SO_PEERCRED and SO_PEERGROUPS): what it says about itself plays no part.
type Peer struct {
	// PID is the process's id in the server's pid namespace (0 if it is not visible
	// there).
	PID int
	// UID and GID are its effective user and group ids.
	UID, GID uint32
	// Groups are its supplementary groups (nil where the kernel cannot say).
	Groups []uint32
}

// String is "pid P uid U gid G", then "groups G1,G2" if it has any.
func (p Peer) String() string {
	s := fmt.Sprintf("pid %d uid %d gid %d", p.PID, p.UID, p.GID)
	if len(p.Groups) > 0 {
		s += " groups " + joinIDs(p.Groups)
	}
	return s
}

// Policy says which processes may have the segment: one whose effective uid is in UIDs,
// or whose effective gid or one of whose supplementary groups is in GIDs. The zero Policy
// allows nobody; root is allowed only if listed (though root can take the segment from
// plibd regardless: see the package doc).
type Policy struct {
	// UIDs are the user ids allowed.
	UIDs []uint32
	// GIDs are the group ids allowed, as a process's effective or supplementary group.
	GIDs []uint32
}

// Allows reports whether p may have the segment.
func (pol Policy) Allows(p Peer) bool {
	if slices.Contains(pol.UIDs, p.UID) || slices.Contains(pol.GIDs, p.GID) {
		return true
	}
	for _, g := range p.Groups {
		if slices.Contains(pol.GIDs, g) {
			return true
		}
	}
	return false
}

// String writes the policy as ParsePolicy reads it: "uid=0,1000 gid=100", "uid=1000",
// or "none" for the policy that allows nobody.
func (pol Policy) String() string {
	var parts []string
	if len(pol.UIDs) > 0 {
		parts = append(parts, "uid="+joinIDs(pol.UIDs))
	}
	if len(pol.GIDs) > 0 {
		parts = append(parts, "gid="+joinIDs(pol.GIDs))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// ParsePolicy reads what Policy.String writes: space-separated "uid=N,N..." and
// "gid=N,N..." terms (each may repeat), or "none". Ids are numeric; resolving user and
// group names is the caller's business.
func ParsePolicy(s string) (Policy, error) {
	var pol Policy
	fields := strings.Fields(s)
	if len(fields) == 1 && fields[0] == "none" {
		return pol, nil
	}
	if len(fields) == 0 {
		return pol, fmt.Errorf("plib/handoff: empty policy (write \"none\" to allow nobody)")
	}
	for _, f := range fields {
		key, list, ok := strings.Cut(f, "=")
		var dst *[]uint32
		switch {
		case ok && key == "uid":
			dst = &pol.UIDs
		case ok && key == "gid":
			dst = &pol.GIDs
		default:
			return Policy{}, fmt.Errorf("plib/handoff: policy term %q: want uid=N,... or gid=N,...", f)
		}
		for _, id := range strings.Split(list, ",") {
			n, err := strconv.ParseUint(id, 10, 32)
			if err != nil || n == 1<<32-1 { // (uid_t)-1 means "no id" to the kernel
				return Policy{}, fmt.Errorf("plib/handoff: policy term %q: bad id %q", f, id)
			}
			*dst = append(*dst, uint32(n))
		}
	}
	return pol, nil
}

func joinIDs(ids []uint32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(s, ",")
}
