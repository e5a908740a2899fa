// Package handoff lets plibd decide which local processes may map the shared segment.
//
// plibd creates the segment in an anonymous memfd (plib.CreateMemfd), so it has no name
// in any filesystem, and serves its descriptor on a unix socket (Listen, NewServer,
// Server.Serve). A client connects (plib.Dial, or Receive for the bare descriptor); the
// server reads the kernel's record of who connected (SO_PEERCRED: pid, effective uid and
// gid; SO_PEERGROUPS: supplementary groups), checks it against its Policy, and sends
// either the descriptor (SCM_RIGHTS) with a grant message, or a refusal naming the
// reason; then it closes the connection. The client attaches with plib.OpenFile, which
// checks the memfd's seals and the segment's header.
//
// For every grant the server opens a pidfd of the peer (SO_PEERPIDFD where the kernel
// has it, Linux 6.5; else pidfd_open of its pid) before sending, and watches it
// (plib/pidwatch); when the process exits, Config.OnExit runs, and plibd repairs and
// frees the dead process's slots there (plib.Client.Recover).
//
// # Protocol
//
// One SOCK_SEQPACKET connection per request; the client sends nothing, the server sends
// one message (see Version and MaxText) and closes. Because the server reads nothing from
// its peers and every connection has a deadline (Config.Timeout), a peer that sends
// garbage, never reads, or vanishes mid-way costs the server one short-lived goroutine.
// At most 64 connections are handled at once; more wait in the listen backlog. On the
// client's side, Receive bounds its wait, rejects a malformed or foreign reply with
// ErrProtocol, and closes every descriptor it did not ask for.
//
// # Threat model
//
// What this protects against:
//   - Processes the Policy does not allow cannot get the segment: it is never in a
//     filesystem (memfd; /dev/shm holds nothing), the only descriptors are held by
//     plibd and by granted processes, and another user's process cannot open
//     /proc/PID/fd/N or /proc/PID/map_files of those, because the kernel lets only a
//     process that may ptrace PID look there. The memfd is mode 0600 besides.
//   - The identity checked is the kernel's, fixed when the peer called connect(2); a
//     peer cannot claim another uid, gid or group. A gid in the Policy matches a peer's
//     effective or supplementary group.
//   - A granted process cannot shrink or grow the segment under the others (their next
//     access would be a SIGBUS): the memfd is sealed F_SEAL_SHRINK and F_SEAL_GROW, and
//     F_SEAL_SEAL, so it cannot add F_SEAL_FUTURE_WRITE to stop later clients from mapping
//     it writable either. The server refuses to serve a descriptor without these seals;
//     plib.OpenFile refuses to attach one.
//   - A granted process that dies has its slots repaired promptly (OnExit), not only when
//     another client runs short of slots or meets its locks. The pidfd is taken before
//     the grant and names that process for good, so neither a quick exit nor a reused pid
//     loses or misdirects the notice (with SO_PEERPIDFD; before Linux 6.5 a peer that
//     exits between connect and pidfd_open and whose pid is reused at once could be
//     confused with the new process).
//
// What it does not protect against:
//   - A granted process is trusted with the whole segment. It can pass the descriptor on
//     (SCM_RIGHTS to anyone it can talk to), fork (the child inherits the mapping, and
//     is not watched: its slots are freed by the next Recover, by anyone, not at its
//     exit), or write anything anywhere in the segment. PKU (plib's ModePKU) guards the
//     segment against stray or hostile accesses by an authorised process's own code (see
//     plib's threat model), not against the process; plib.Dial keeps no descriptor once
//     attached, so such code finds only the PKU-tagged mapping, but /proc/self/mem still
//     reaches it.
//   - A process that may ptrace a granted process (same uid, by default, or
//     CAP_SYS_PTRACE) can take its descriptor (pidfd_getfd), read its /proc/PID/fd, or
//     read and write the segment through /proc/PID/mem or process_vm_writev, which ignore
//     PKU. Allowing a uid therefore allows every process of that uid, and lets them reach
//     every other process of that uid that holds the segment.
//   - Root (CAP_SYS_ADMIN, CAP_SYS_PTRACE) can do anything: take plibd's descriptor,
//     map it, change the Policy. Root is not allowed by default, but that is no barrier.
//   - The Policy is applied at connect time. Revoking a uid does not take the segment
//     back from processes that have it, and a process that changes its credentials after
//     connecting keeps the answer for the old ones.
//   - Denial of service by a granted process (filling the store, holding slots, or
//     corrupting data) is not prevented; a local process can also flood the socket.
//   - The segment lives as long as plibd or any granted process holds it; it is not
//     persistent across a restart of everything as a /dev/shm file is.
package handoff
