package protocol

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	benchAddr  = flag.String("bench.addr", "", "BenchmarkReadHeavy/external: a server's TCP address (a plibd or memcached started by hand)")
	benchConns = flag.Int("bench.conns", 8, "connections of BenchmarkReadHeavy")
)

const (
	benchKeys  = 10000
	benchValue = 100
)

// BenchmarkReadHeavy is a read-heavy mix over TCP (95% get, 5% set of 100-byte values over
// 10,000 keys), closed loop, one command in flight per connection: stock memcached (-t 4)
// beside plibd served in this process (which also runs the load, so it is the harder
// side), and any server given by -bench.addr.
func BenchmarkReadHeavy(b *testing.B) {
	b.Run("memcached", func(b *testing.B) {
		if _, err := os.Stat(memcachedPath); err != nil {
			b.Skip("no memcached")
		}
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		args := []string{"-p", strconv.Itoa(port), "-l", "127.0.0.1", "-U", "0", "-m", "256", "-t", "4"}
		if os.Geteuid() == 0 {
			args = append(args, "-u", "root")
		}
		cmd := exec.Command(memcachedPath, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for i := 0; ; i++ {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
				break
			}
			if i > 500 {
				b.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		readHeavy(b, addr)
	})
	b.Run("plibd", func(b *testing.B) {
		_, addr := startPlibd(b, true, nil)
		readHeavy(b, addr)
	})
	b.Run("external", func(b *testing.B) {
		if *benchAddr == "" {
			b.Skip("no -bench.addr")
		}
		readHeavy(b, *benchAddr)
	})
}

func readHeavy(b *testing.B, addr string) {
	value := bytes.Repeat([]byte("v"), benchValue)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(c)
	for i := 0; i < benchKeys; i++ {
		fmt.Fprintf(w, "set key:%d 0 0 %d noreply\r\n%s\r\n", i, benchValue, value)
	}
	w.WriteString("mn\r\n")
	w.Flush()
	r := bufio.NewReader(c)
	if line, err := r.ReadString('\n'); err != nil || line != "MN\r\n" {
		b.Fatalf("preload: %q %v", line, err)
	}
	c.Close()
	conns := *benchConns
	per := b.N/conns + 1
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	b.ResetTimer()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := readHeavyConn(addr, per, uint64(i+1), value); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(per*conns)/b.Elapsed().Seconds(), "ops/s")
}

func readHeavyConn(addr string, ops int, seed uint64, value []byte) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	w := bufio.NewWriter(c)
	x := seed * 0x9E3779B97F4A7C15
	req := make([]byte, 0, 256)
	for i := 0; i < ops; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		key := strconv.AppendUint(req[:0], x%benchKeys, 10)
		if x%100 < 5 {
			req = append(append(append([]byte("set key:"), key...), " 0 0 100\r\n"...), value...)
			w.Write(append(req, "\r\n"...))
			w.Flush()
			if line, err := r.ReadSlice('\n'); err != nil || string(line) != "STORED\r\n" {
				return fmt.Errorf("set: %q %v", line, err)
			}
			continue
		}
		w.WriteString("get key:")
		w.Write(key)
		w.WriteString("\r\n")
		w.Flush()
		line, err := r.ReadSlice('\n')
		if err != nil || !bytes.HasPrefix(line, []byte("VALUE ")) {
			return fmt.Errorf("get: %q %v", line, err)
		}
		if _, err := r.Discard(benchValue + 2); err != nil {
			return err
		}
		if line, err := r.ReadSlice('\n'); err != nil || string(line) != "END\r\n" {
			return fmt.Errorf("get end: %q %v", line, err)
		}
	}
	return nil
}
