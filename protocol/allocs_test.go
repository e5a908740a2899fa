package protocol

import (
	"testing"
)

// TestHotPathAllocations checks that get and set allocate nothing per command on the
// server (the client side of this test allocates nothing either).
func TestHotPathAllocations(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	defer c.Close()
	set := []byte("set key 0 0 100\r\n" + string(make([]byte, 100)) + "\r\n")
	get := []byte("get key\r\n")
	buf := make([]byte, 4096)
	read := func(n int) {
		got := 0
		for got < n {
			k, err := c.Read(buf[got:n])
			if err != nil {
				t.Fatal(err)
			}
			got += k
		}
	}
	run := func() {
		c.Write(set)
		read(len("STORED\r\n"))
		c.Write(get)
		read(len("VALUE key 0 100\r\n") + 102 + len("END\r\n"))
	}
	run()
	if n := testing.AllocsPerRun(2000, run); n > 0.05 {
		t.Fatalf("%.2f allocations per set and get", n)
	}
}
