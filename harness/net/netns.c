#include "harness/net/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/core/cleanup.h"
#include "harness/core/spawn.h"

/* ip's path (PATH, /usr/sbin, /sbin), looked up once. */
static const char *ip_path(void)
{
	static char found[4096];
	if (found[0] == '\0' && spawn_find("ip", found, sizeof(found)) < 0)
		snprintf(found, sizeof(found), "/usr/sbin/ip");
	return found;
}

/* Runs argv with its output (ip prints its reasons on stderr) in errbuf,
 * trailing blanks dropped. Returns the exit status, or -1 (errbuf says). */
static int run_argv(char *const argv[], char *errbuf, size_t errlen)
{
	struct bench_error *err = NULL;
	int rc = spawn_run(argv, 30, 0, errbuf, errlen, &err);
	if (rc < 0) {
		const char *why = err ? err->msg : "could not run";
		size_t n = strnlen(why, errlen - 1);
		memcpy(errbuf, why, n);
		errbuf[n] = '\0';
		bench_error_free(&err);
		return -1;
	}
	size_t len = strlen(errbuf);
	while (len > 0 && (errbuf[len - 1] == '\n' || errbuf[len - 1] == ' '))
		errbuf[--len] = '\0';
	return rc;
}

enum { IP_STRICT = 0, IP_ALLOW_EXISTS = 1, IP_QUIET = 2 };

/* Runs `ip args...` (args[0] is replaced by ip's path). Returns 0, or -1
 * with *err naming the command and ip's stderr. IP_ALLOW_EXISTS treats a
 * "File exists" failure as success; IP_QUIET never sets *err. */
static int ip_cmd(char *args[], int flags, struct bench_error **err)
{
	char errbuf[512];
	args[0] = (char *)ip_path();
	int rc = run_argv(args, errbuf, sizeof(errbuf));
	if (rc == 0)
		return 0;
	if ((flags & IP_ALLOW_EXISTS) && rc > 0 && strstr(errbuf, "File exists") != NULL)
		return 0;
	if (flags & IP_QUIET)
		return -1;
	char cmd[512];
	size_t off = 0;
	for (size_t i = 0; args[i] != NULL && off < sizeof(cmd); i++)
		off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, "%s%s", i ? " " : "",
		                        i ? args[i] : "ip");
	if (rc < 0)
		return bench_error_set(err, 0, "`%s` could not run: %s", cmd, errbuf);
	return bench_error_set(err, 0, "`%s` failed (exit %d): %s", cmd, rc,
	                       errbuf[0] ? errbuf : "(no message)");
}

#define IP(flags, err, ...) ip_cmd((char *[]){"ip", __VA_ARGS__, NULL}, (flags), (err))

static int lock_state(struct bench_error **err)
{
	if ((mkdir(NETNS_STATE_DIR, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(NETNS_ADDR_DIR, 0755) < 0 && errno != EEXIST))
		return bench_error_set(err, errno, "mkdir %s", NETNS_ADDR_DIR);
	int fd = open(NETNS_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return bench_error_set(err, errno, "open %s", NETNS_LOCK_PATH);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return bench_error_set(err, e, "flock %s", NETNS_LOCK_PATH);
		}
	return fd; /* closing it releases the lock */
}

static void slot_names(struct netns_slot *s, int pid, int octet, enum netns_kind kind)
{
	snprintf(s->ns_name, sizeof(s->ns_name), "bench-%d-%d", pid, octet);
	snprintf(s->ns_path, sizeof(s->ns_path), "/run/netns/%s", s->ns_name);
	if (kind != NETNS_ADDR_ONLY)
		snprintf(s->host_veth, sizeof(s->host_veth), "%s%dn%d",
		         kind == NETNS_TAP ? "btp" : "bvh", pid, octet);
	s->kind = kind;
	snprintf(s->bridge_addr, sizeof(s->bridge_addr), "%s.1", NETNS_SUBNET_PREFIX);
	snprintf(s->inst_addr, sizeof(s->inst_addr), "%s.%d", NETNS_SUBNET_PREFIX, octet);
	s->octet = octet;
}

/* Owner pid recorded in the address file of octet, 0 if absent/unreadable. */
static int addr_owner(int octet)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/%d", NETNS_ADDR_DIR, octet);
	cleanup_fclose FILE *f = fopen(path, "re");
	int pid = 0;
	if (f == NULL || fscanf(f, "%d", &pid) != 1)
		return 0;
	return pid;
}

static bool pid_alive(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH);
}

/* Removes a dead owner's leftovers for octet (its namespace takes its veth
 * along) and its address file. Caller holds the lock. */
static void reclaim_stale(int octet, int pid)
{
	char path[64];
	if (pid > 0) {
		struct netns_slot old;
		slot_names(&old, pid, octet, NETNS_VETH);
		IP(IP_QUIET, NULL, "netns", "delete", old.ns_name);
		IP(IP_QUIET, NULL, "link", "delete", old.host_veth);
		slot_names(&old, pid, octet, NETNS_TAP);
		IP(IP_QUIET, NULL, "link", "delete", old.host_veth);
	}
	snprintf(path, sizeof(path), "%s/%d", NETNS_ADDR_DIR, octet);
	unlink(path);
}

/* Claims the lowest free (or stale) octet for this process. Lock held. */
static int alloc_octet(struct bench_error **err)
{
	for (int n = NETNS_OCTET_MIN; n <= NETNS_OCTET_MAX; n++) {
		char path[64];
		snprintf(path, sizeof(path), "%s/%d", NETNS_ADDR_DIR, n);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == EEXIST) {
			int owner = addr_owner(n);
			if (pid_alive(owner))
				continue;
			reclaim_stale(n, owner);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		}
		if (fd < 0)
			return bench_error_set(err, errno, "create %s", path);
		int ok = dprintf(fd, "%d\n", (int)getpid()) > 0;
		close(fd);
		if (!ok) {
			unlink(path);
			return bench_error_set(err, EIO, "write %s", path);
		}
		return n;
	}
	return bench_error_set(err, 0, "no free address in %s.%d-%d (see %s)", NETNS_SUBNET_PREFIX,
	                       NETNS_OCTET_MIN, NETNS_OCTET_MAX, NETNS_ADDR_DIR);
}

/* Whether any live slot still holds an address; stale ones are reclaimed
 * on the way. Lock held. */
static bool addresses_in_use(void)
{
	DIR *d = opendir(NETNS_ADDR_DIR);
	if (d == NULL)
		return false;
	bool used = false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long n = strtol(de->d_name, &end, 10);
		if (de->d_name[0] == '.' || *end != '\0')
			continue;
		if (n < NETNS_OCTET_MIN || n > NETNS_OCTET_MAX) {
			used = true; /* not ours to judge: keep the bridge */
			continue;
		}
		int owner = addr_owner((int)n);
		if (pid_alive(owner))
			used = true;
		else
			reclaim_stale((int)n, owner);
	}
	closedir(d);
	return used;
}

/* Undoes whatever of slot exists; the caller holds the lock if lock_ok. */
static void undo(struct netns_slot *slot, bool lock_ok)
{
	if (slot->ns_name[0] != '\0' && slot->kind == NETNS_VETH)
		IP(IP_QUIET, NULL, "netns", "delete", slot->ns_name);
	if (slot->host_veth[0] != '\0')
		IP(IP_QUIET, NULL, "link", "delete", slot->host_veth);
	if (slot->octet >= NETNS_OCTET_MIN && slot->octet <= NETNS_OCTET_MAX && lock_ok) {
		int pid = 0, n = 0;
		int owner = addr_owner(slot->octet);
		/* the owner is the process that named the slot (it may have forked since) */
		if (sscanf(slot->ns_name, "bench-%d-%d", &pid, &n) == 2 && owner == pid &&
		    n == slot->octet) {
			char path[64];
			snprintf(path, sizeof(path), "%s/%d", NETNS_ADDR_DIR, slot->octet);
			unlink(path);
		}
		if (!addresses_in_use())
			IP(IP_QUIET, NULL, "link", "delete", NETNS_BRIDGE);
	}
	memset(slot, 0, sizeof(*slot));
}

static int ensure_bridge(const char *cidr, struct bench_error **err)
{
	if (IP(IP_ALLOW_EXISTS, err, "link", "add", NETNS_BRIDGE, "type", "bridge") < 0 ||
	    IP(IP_STRICT, err, "addr", "replace", (char *)cidr, "dev", NETNS_BRIDGE) < 0 ||
	    IP(IP_STRICT, err, "link", "set", "dev", NETNS_BRIDGE, "up") < 0)
		return -1;
	return 0;
}

/* Takes the lock, claims an address and names the slot: the lock fd, or
 * -1 with *err. */
static int claim(struct netns_slot *slot, enum netns_kind kind, struct bench_error **err)
{
	memset(slot, 0, sizeof(*slot));
	int lock = lock_state(err);
	if (lock < 0)
		return -1;
	int octet = alloc_octet(err);
	if (octet < 0) {
		close(lock);
		return -1;
	}
	slot_names(slot, (int)getpid(), octet, kind);
	return lock;
}

int netns_attach(struct netns_slot *slot, enum netns_kind kind, struct bench_error **err)
{
	cleanup_close int lock = claim(slot, kind, err);
	if (lock < 0)
		return -1;
	char bridge_cidr[24];
	snprintf(bridge_cidr, sizeof(bridge_cidr), "%s/24", slot->bridge_addr);
	char *hv = slot->host_veth;
	if (ensure_bridge(bridge_cidr, err) < 0 ||
	    (kind == NETNS_TAP &&
	     (IP(IP_STRICT, err, "tuntap", "add", "dev", hv, "mode", "tap") < 0 ||
	      IP(IP_STRICT, err, "link", "set", "dev", hv, "master", NETNS_BRIDGE, "up") < 0))) {
		undo(slot, true);
		return bench_error_wrap(err, "bridge attachment");
	}
	return 0;
}

/* netns_setup and netns_adopt: a new namespace (pid 0) or pid's. */
static int setup_veth(struct netns_slot *slot, pid_t pid, struct bench_error **err)
{
	cleanup_close int lock = claim(slot, NETNS_VETH, err);
	if (lock < 0)
		return -1;
	char bridge_cidr[24], inst_cidr[24], pid_text[16];
	snprintf(bridge_cidr, sizeof(bridge_cidr), "%s/24", slot->bridge_addr);
	snprintf(inst_cidr, sizeof(inst_cidr), "%s/24", slot->inst_addr);
	snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
	char *ns = slot->ns_name, *hv = slot->host_veth;
	if (ensure_bridge(bridge_cidr, err) < 0 ||
	    (pid > 0 ? IP(IP_STRICT, err, "netns", "attach", ns, pid_text)
	             : IP(IP_STRICT, err, "netns", "add", ns)) < 0 ||
	    IP(IP_STRICT, err, "link", "add", hv, "type", "veth", "peer", "name", "eth0", "netns",
	       ns) < 0 ||
	    IP(IP_STRICT, err, "link", "set", "dev", hv, "master", NETNS_BRIDGE, "up") < 0 ||
	    IP(IP_STRICT, err, "-n", ns, "link", "set", "dev", "lo", "up") < 0 ||
	    IP(IP_STRICT, err, "-n", ns, "addr", "add", inst_cidr, "dev", "eth0") < 0 ||
	    IP(IP_STRICT, err, "-n", ns, "link", "set", "dev", "eth0", "up") < 0) {
		undo(slot, true);
		return bench_error_wrap(err, "network namespace setup");
	}
	return 0;
}

int netns_setup(struct netns_slot *slot, struct bench_error **err)
{
	return setup_veth(slot, 0, err);
}

int netns_adopt(struct netns_slot *slot, pid_t pid, struct bench_error **err)
{
	if (pid <= 0)
		return bench_error_set(err, 0, "netns_adopt: no process (pid %d)", (int)pid);
	return setup_veth(slot, pid, err);
}

int netns_reclaim_stale(FILE *notes)
{
	if (access(NETNS_ADDR_DIR, W_OK) != 0)
		return 0; /* never set up here, or not ours to change */
	struct bench_error *ignored = NULL;
	cleanup_close int lock = lock_state(&ignored);
	bench_error_free(&ignored);
	if (lock < 0)
		return 0;
	DIR *d = opendir(NETNS_ADDR_DIR);
	if (d == NULL)
		return 0;
	int reclaimed = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long n = strtol(de->d_name, &end, 10);
		if (de->d_name[0] == '.' || *end != '\0' || n < NETNS_OCTET_MIN ||
		    n > NETNS_OCTET_MAX)
			continue;
		int owner = addr_owner((int)n);
		if (pid_alive(owner))
			continue;
		reclaim_stale((int)n, owner);
		reclaimed++;
		if (notes != NULL)
			fprintf(notes,
			        "bench: removed the network namespace, veth or tap and address "
			        "%s.%ld of a killed run (pid %d)\n",
			        NETNS_SUBNET_PREFIX, n, owner);
	}
	closedir(d);
	return reclaimed;
}

void netns_teardown(struct netns_slot *slot)
{
	if (slot == NULL)
		return;
	cleanup_close int lock = -1;
	if (slot->octet != 0) {
		struct bench_error *ignored = NULL;
		lock = lock_state(&ignored);
		bench_error_free(&ignored);
	}
	undo(slot, lock >= 0);
}
