# Governance policy for sandbox telemetry events: one decision per event.
package tether.governance

default allow := false

allow if count(violations) == 0

decision := {"allow": allow, "violations": violations, "severity": severity}

# --- syscalls -------------------------------------------------------------

base_syscalls := {"read", "write", "openat", "close", "fstat", "mmap", "munmap", "brk", "futex", "epoll_wait", "recvfrom", "sendto", "getpid", "clock_gettime"}

app_syscalls := {
	"api": {"accept4", "connect", "socket", "setsockopt"},
	"worker": {"connect", "socket", "clone", "wait4"},
	"batch": {"clone", "execve", "wait4", "pipe2"},
}

dangerous_syscalls := {"ptrace", "init_module", "finit_module", "kexec_load", "bpf", "mount", "umount2", "pivot_root", "setns", "unshare"}

syscall_allowed if base_syscalls[input.syscall]

syscall_allowed if app_syscalls[input.app][input.syscall]

violations contains "dangerous syscall" if dangerous_syscalls[input.syscall]

violations contains "syscall not allowlisted" if {
	input.kind == "syscall"
	not syscall_allowed
	not dangerous_syscalls[input.syscall]
}

# --- files ----------------------------------------------------------------

sensitive_paths := ["/etc/shadow", "/etc/sudoers*", "/root/**", "/proc/*/mem", "/var/run/docker.sock", "**/.ssh/**"]

writable_prefixes := ["/tmp/", "/var/tmp/", "/app/data/"]

sensitive_file if {
	some pattern in sensitive_paths
	glob.match(pattern, ["/"], input.file.path)
}

violations contains "sensitive file access" if {
	input.kind == "file"
	sensitive_file
}

write_outside_allowed if {
	input.kind == "file"
	input.file.mode != "r"
	not any_writable_prefix
}

any_writable_prefix if {
	some p in writable_prefixes
	startswith(input.file.path, p)
}

violations contains "write outside writable paths" if write_outside_allowed

violations contains "executable written" if {
	input.kind == "file"
	input.file.mode != "r"
	endswith(input.file.path, ".so")
}

# --- network --------------------------------------------------------------

internal_cidrs := ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]

egress_allowlist := {
	"api": ["10.20.0.0/16", "203.0.113.0/24"],
	"worker": ["10.30.0.0/16"],
	"batch": ["198.51.100.0/24"],
}

allowed_ports := {"api": {443, 5432}, "worker": {443, 6379}, "batch": {443}}

metadata_ip := "169.254.169.254"

internal_dst if {
	some c in internal_cidrs
	net.cidr_contains(c, input.net.dst_ip)
}

egress_allowed if {
	some c in egress_allowlist[input.app]
	net.cidr_contains(c, input.net.dst_ip)
}

violations contains "egress to unlisted destination" if {
	input.kind == "net"
	not egress_allowed
	not internal_dst
}

violations contains "port not allowed" if {
	input.kind == "net"
	not allowed_ports[input.app][input.net.dst_port]
}

violations contains "cloud metadata access" if {
	input.kind == "net"
	input.net.dst_ip == metadata_ip
}

violations contains "plaintext protocol" if {
	input.kind == "net"
	input.net.dst_port in {21, 23, 80}
}

# --- processes ------------------------------------------------------------

shells := {"sh", "bash", "zsh", "dash"}

violations contains "shell in api container" if {
	input.app == "api"
	shells[input.process.name]
}

violations contains "root process" if {
	input.process.uid == 0
	not input.labels.privileged
}

violations contains "unknown app" if not app_syscalls[input.app]

# --- severity -------------------------------------------------------------

critical := {"dangerous syscall", "cloud metadata access", "sensitive file access"}

severity := "critical" if {
	some v in violations
	critical[v]
} else := "warning" if {
	count(violations) > 0
} else := "none"
