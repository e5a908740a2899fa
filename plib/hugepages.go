package plib

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// thpShmem is where Linux says whether shared memory may use transparent huge pages.
const thpShmem = "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

// adviseHugePages asks for transparent huge pages on the segment mapping b where the
// system allows them for shared memory, and returns a one-line note of what it did or why
// not. At tens of millions of records the store's hash table and items span gigabytes, and
// 2 MiB pages spare most of the TLB misses of 4 KiB ones. Nothing fails for want of them:
// the note says what the mapping got.
//
// A segment file lives on tmpfs (/dev/shm) or is a memfd; both are shmem, governed by
// shmem_enabled (and, for a tmpfs mount, its huge= option). "advise", "within_size",
// "always" and "force" let MADV_HUGEPAGE take effect; "never" and "deny" do not.
func adviseHugePages(b []byte) string {
	raw, err := os.ReadFile(thpShmem)
	if err != nil {
		return "4 KiB pages: this kernel has no transparent huge pages for shared memory (" + thpShmem + " unreadable)"
	}
	mode := selectedMode(string(raw))
	switch mode {
	case "never", "deny", "":
		return fmt.Sprintf("4 KiB pages: transparent huge pages for shared memory are %q (%s); an administrator can write \"advise\" there", mode, thpShmem)
	}
	if err := unix.Madvise(b, unix.MADV_HUGEPAGE); err != nil {
		return fmt.Sprintf("4 KiB pages: madvise(MADV_HUGEPAGE) failed: %v (shmem_enabled %q)", err, mode)
	}
	return fmt.Sprintf("transparent huge pages asked for (MADV_HUGEPAGE; shmem_enabled %q; a tmpfs mount's huge= option also applies)", mode)
}

// selectedMode returns the bracketed word of a sysfs choice list: "always [never]" -> "never".
func selectedMode(s string) string {
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]") {
			return strings.Trim(w, "[]")
		}
	}
	return ""
}

// HugePages says whether the segment's mapping asked for huge pages, or why it did not.
func (c *Client) HugePages() string { return c.seg.huge }
