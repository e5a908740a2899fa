//go:build linux

package handoff

import (
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// handle answers one connection: identify the peer from the kernel's record, decide,
// send one message, close. Nothing is read from the peer, so a peer that sends garbage,
// or nothing, or goes away, changes nothing but its own answer.
func (s *Server) handle(c *net.UnixConn) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		<-s.sem
		s.wg.Done()
	}()
	c.SetDeadline(time.Now().Add(s.cfg.Timeout))
	peer, err := peerOf(c)
	if err != nil {
		s.refuse(c, peer, "the server cannot identify the peer: "+err.Error())
		return
	}
	if !s.cfg.Policy.Allows(peer) {
		reason := fmt.Sprintf("uid %d gid %d", peer.UID, peer.GID)
		if len(peer.Groups) > 0 {
			reason += " groups " + joinIDs(peer.Groups)
		}
		s.refuse(c, peer, reason+" is not allowed by the server's policy")
		return
	}
	pidfd := -1
	if s.cfg.OnExit != nil {
		// Before the grant, so that a grantee that dies at once is still seen to exit.
		if pidfd, err = peerPidfd(c, peer.PID); err != nil {
			s.refuse(c, peer, "the server cannot watch the peer's process: "+err.Error())
			return
		}
	}
	if err := send(c, message{kind: kindGrant}, s.seg); err != nil {
		if pidfd >= 0 {
			unix.Close(pidfd)
		}
		s.logf("plib/handoff: grant to %v failed: %v", peer, err)
		return
	}
	s.logf("plib/handoff: granted the segment to %v", peer)
	if pidfd >= 0 {
		onExit := s.cfg.OnExit
		if err := s.watch.WatchPidfd(pidfd, func() { onExit(peer) }); err != nil {
			s.logf("plib/handoff: cannot watch %v: %v", peer, err)
		}
	}
}

func (s *Server) refuse(c *net.UnixConn, peer Peer, reason string) {
	s.logf("plib/handoff: refused %v: %s", peer, reason)
	if err := send(c, message{kind: kindRefusal, text: reason}, -1); err != nil {
		s.logf("plib/handoff: refusal to %v not sent: %v", peer, err)
	}
}

// send writes one message, with fd in SCM_RIGHTS unless it is negative. A seqpacket
// message goes whole or not at all.
func send(c *net.UnixConn, m message, fd int) error {
	var oob []byte
	if fd >= 0 {
		oob = unix.UnixRights(fd)
	}
	b := m.encode()
	n, oobn, err := c.WriteMsgUnix(b, oob, nil)
	if err == nil && (n != len(b) || oobn != len(oob)) {
		err = fmt.Errorf("short write (%d of %d bytes, %d of %d control)", n, len(b), oobn, len(oob))
	}
	return err
}
