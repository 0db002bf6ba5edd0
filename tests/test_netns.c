/* Bridge-mode container networking: namespaces, veth pairs, the shared
 * bridge and cross-process address allocation. Needs root and `ip netns`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "harness/net/netns.h"
#include "testutil.h"

static const char *ip_bin(void)
{
	return access("/usr/sbin/ip", X_OK) == 0 ? "/usr/sbin/ip" : "/sbin/ip";
}

/* Runs `ip args...`; returns its exit status, its stdout in *out if non-NULL. */
static int ip_run(char *out_copy, size_t outlen, char *args[])
{
	args[0] = (char *)ip_bin();
	struct cmd_result r = run_cmd_bounded(args, 30);
	if (out_copy != NULL)
		snprintf(out_copy, outlen, "%s", r.out);
	int st = r.status;
	cmd_result_free(&r);
	return st;
}
#define IP_OUT(buf, ...) ip_run((buf), sizeof(buf), (char *[]){"ip", __VA_ARGS__, NULL})
#define IP_ST(...)       ip_run(NULL, 0, (char *[]){"ip", __VA_ARGS__, NULL})

static void need_netns(void)
{
	if (geteuid() != 0) {
		print_message("skipped: needs root for namespaces and links\n");
		skip();
	}
	if (access(ip_bin(), X_OK) != 0 || IP_ST("netns", "list") != 0) {
		print_message("skipped: `ip netns` is unavailable\n");
		skip();
	}
}

static bool link_exists(const char *name)
{
	return IP_ST("link", "show", "dev", (char *)name) == 0;
}

static bool addr_dir_empty(void)
{
	char out[4096];
	struct cmd_result r = run_cmd((char *[]){"/bin/ls", "-A", NETNS_ADDR_DIR, NULL});
	snprintf(out, sizeof(out), "%s", r.out);
	cmd_result_free(&r);
	return out[0] == '\0';
}

/* Pid recorded in the address file of octet, 0 if there is none. */
static int addr_owner(int octet)
{
	char path[64];
	int pid = 0;
	snprintf(path, sizeof(path), "%s/%d", NETNS_ADDR_DIR, octet);
	FILE *f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

static bool addr_file_exists(int octet)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/%d", NETNS_ADDR_DIR, octet);
	return access(path, F_OK) == 0;
}

/* Child: joins ns_path's network namespace and connects to addr:port within
 * 5 s. Exit 0 on success, 3 when the local address is not want_local. */
static int connect_from_ns(const char *ns_path, const char *addr, uint16_t port,
                           const char *want_local)
{
	pid_t pid = fork();
	if (pid == 0) {
		int nsfd = open(ns_path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
			_exit(1);
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
		inet_pton(AF_INET, addr, &sa.sin_addr);
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
			_exit(2);
		struct pollfd p = {.fd = s, .events = POLLOUT};
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (poll(&p, 1, 5000) != 1 ||
		    getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0)
			_exit(2);
		struct sockaddr_in local;
		socklen_t ll = sizeof(local);
		char buf[INET_ADDRSTRLEN];
		if (getsockname(s, (struct sockaddr *)&local, &ll) < 0 ||
		    inet_ntop(AF_INET, &local.sin_addr, buf, sizeof(buf)) == NULL ||
		    strcmp(buf, want_local) != 0)
			_exit(3);
		_exit(0);
	}
	bool timed_out;
	return wait_bounded(pid, 10, &timed_out);
}

/* netns_setup that prints the error before failing the test. */
static void setup_ok(struct netns_slot *s)
{
	struct bench_error *err = NULL;
	int rc = netns_setup(s, &err);
	if (rc != 0)
		print_error("netns_setup: %s\n", err != NULL ? err->msg : "(no error)");
	bench_error_free(&err);
	assert_int_equal(rc, 0);
}

static void setup_reach_teardown(void **state)
{
	(void)state;
	need_netns();
	struct netns_slot s;
	setup_ok(&s);
	assert_true(s.octet >= NETNS_OCTET_MIN && s.octet <= NETNS_OCTET_MAX);
	assert_true(strlen(s.host_veth) < 16);
	assert_int_equal(access(s.ns_path, F_OK), 0);
	assert_true(addr_file_exists(s.octet));

	char out[8192], want[32];
	assert_int_equal(IP_OUT(out, "-n", s.ns_name, "addr", "show", "dev", "eth0"), 0);
	snprintf(want, sizeof(want), "inet %s/24", s.inst_addr);
	assert_non_null(strstr(out, want));
	assert_int_equal(IP_OUT(out, "addr", "show", "dev", NETNS_BRIDGE), 0);
	snprintf(want, sizeof(want), "inet %s/24", s.bridge_addr);
	assert_non_null(strstr(out, want));
	assert_int_equal(IP_OUT(out, "link", "show", "dev", s.host_veth), 0);
	assert_non_null(strstr(out, "master " NETNS_BRIDGE));

	/* reachability: a listener on the bridge address, a connect from inside */
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	inet_pton(AF_INET, s.bridge_addr, &sa.sin_addr);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 4), 0);
	socklen_t sl = sizeof(sa);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	assert_int_equal(connect_from_ns(s.ns_path, s.bridge_addr, ntohs(sa.sin_port), s.inst_addr),
	                 0);
	struct pollfd p = {.fd = ls, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 5000), 1);
	int c = accept(ls, NULL, NULL);
	assert_true(c >= 0);
	close(c);
	close(ls);

	struct netns_slot copy = s;
	netns_teardown(&s);
	assert_int_equal(s.octet, 0);
	assert_int_not_equal(access(copy.ns_path, F_OK), 0);
	assert_false(link_exists(copy.host_veth));
	assert_int_not_equal(addr_owner(copy.octet), (int)getpid());
	if (addr_dir_empty())
		assert_false(link_exists(NETNS_BRIDGE));
}

static void two_slots_share_bridge(void **state)
{
	(void)state;
	need_netns();
	struct netns_slot a, b;
	setup_ok(&a);
	setup_ok(&b);
	assert_int_not_equal(a.octet, b.octet);
	assert_string_not_equal(a.inst_addr, b.inst_addr);
	assert_string_not_equal(a.ns_name, b.ns_name);
	assert_string_not_equal(a.host_veth, b.host_veth);
	netns_teardown(&a);
	assert_true(link_exists(NETNS_BRIDGE));
	assert_int_equal(access(b.ns_path, F_OK), 0);
	assert_true(link_exists(b.host_veth));
	netns_teardown(&b);
	if (addr_dir_empty())
		assert_false(link_exists(NETNS_BRIDGE));
}

static void partial_and_double_teardown(void **state)
{
	(void)state;
	need_netns();
	struct netns_slot partial = {0};
	snprintf(partial.ns_name, sizeof(partial.ns_name), "bench-%d-999", (int)getpid());
	netns_teardown(&partial);
	netns_teardown(&partial);
	struct netns_slot zero = {0};
	netns_teardown(&zero);
	netns_teardown(NULL);

	struct netns_slot s;
	setup_ok(&s);
	netns_teardown(&s);
	netns_teardown(&s);
	if (addr_dir_empty())
		assert_false(link_exists(NETNS_BRIDGE));
}

static void stale_address_reclaimed(void **state)
{
	(void)state;
	need_netns();
	const int dead = 999999;
	if (kill(dead, 0) == 0 || errno != ESRCH) {
		print_message("skipped: pid %d exists here\n", dead);
		skip();
	}
	mkdir(NETNS_STATE_DIR, 0755);
	mkdir(NETNS_ADDR_DIR, 0755);
	int octet = NETNS_OCTET_MIN;
	while (octet <= NETNS_OCTET_MAX && addr_file_exists(octet))
		octet++;
	assert_true(octet <= NETNS_OCTET_MAX);
	char path[64], stale_ns[32];
	snprintf(path, sizeof(path), "%s/%d", NETNS_ADDR_DIR, octet);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", dead);
	fclose(f);
	/* the dead owner's namespace is left over too */
	snprintf(stale_ns, sizeof(stale_ns), "bench-%d-%d", dead, octet);
	assert_int_equal(IP_ST("netns", "add", stale_ns), 0);

	struct netns_slot s;
	setup_ok(&s);
	int got = s.octet, owner = addr_owner(octet);
	char ns_path[64];
	snprintf(ns_path, sizeof(ns_path), "/run/netns/%s", stale_ns);
	bool stale_ns_left = access(ns_path, F_OK) == 0;
	netns_teardown(&s);
	if (stale_ns_left)
		IP_ST("netns", "delete", stale_ns);
	assert_int_equal(got, octet);
	assert_int_equal(owner, (int)getpid());
	assert_false(stale_ns_left);
	assert_int_not_equal(addr_owner(octet), (int)getpid());
}

/* A failing step (the host veth name is taken) undoes everything and names
 * the command with ip's message. */
static void failure_undone(void **state)
{
	(void)state;
	need_netns();
	mkdir(NETNS_STATE_DIR, 0755);
	mkdir(NETNS_ADDR_DIR, 0755);
	int octet = NETNS_OCTET_MIN;
	while (octet <= NETNS_OCTET_MAX && addr_file_exists(octet))
		octet++;
	char taken[16], peer[16], ns_path[64], msg[2048] = "";
	snprintf(taken, sizeof(taken), "bvh%dn%d", (int)getpid(), octet);
	snprintf(peer, sizeof(peer), "bvt%d", (int)getpid());
	assert_int_equal(IP_ST("link", "add", taken, "type", "veth", "peer", "name", peer), 0);
	struct netns_slot s;
	struct bench_error *err = NULL;
	int rc = netns_setup(&s, &err);
	if (err != NULL)
		snprintf(msg, sizeof(msg), "%s", err->msg);
	bench_error_free(&err);
	snprintf(ns_path, sizeof(ns_path), "/run/netns/bench-%d-%d", (int)getpid(), octet);
	bool ns_left = access(ns_path, F_OK) == 0;
	int owner = addr_owner(octet);
	IP_ST("link", "delete", taken);
	if (rc == 0)
		netns_teardown(&s);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(msg, "ip link add"));
	assert_non_null(strstr(msg, "exists"));
	assert_int_equal(s.octet, 0);
	assert_false(ns_left);
	assert_int_not_equal(owner, (int)getpid());
	if (addr_dir_empty())
		assert_false(link_exists(NETNS_BRIDGE));
}

/* A tap for a guest: on the bridge and up, with an address held; gone
 * again after teardown, also when torn down twice. */
static void tap_attach_and_teardown(void **state)
{
	(void)state;
	need_netns();
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		print_message("skipped: no /dev/net/tun\n");
		skip();
	}
	struct netns_slot s;
	struct bench_error *err = NULL;
	if (netns_attach(&s, NETNS_TAP, &err) < 0)
		fail_msg("netns_attach: %s", err->msg);
	char out[4096];
	assert_int_equal(strncmp(s.host_veth, "btp", 3), 0);
	assert_int_equal(IP_OUT(out, "-d", "link", "show", "dev", s.host_veth), 0);
	assert_non_null(strstr(out, "tun"));
	assert_non_null(strstr(out, "master " NETNS_BRIDGE));
	assert_int_equal(addr_owner(s.octet), (int)getpid());
	char name[16];
	snprintf(name, sizeof(name), "%s", s.host_veth);
	int octet = s.octet;
	netns_teardown(&s);
	assert_false(link_exists(name));
	assert_int_not_equal(addr_owner(octet), (int)getpid());
	netns_teardown(&s);

	struct netns_slot a;
	if (netns_attach(&a, NETNS_ADDR_ONLY, &err) < 0)
		fail_msg("netns_attach addr-only: %s", err->msg);
	assert_string_equal(a.host_veth, "");
	assert_true(link_exists(NETNS_BRIDGE));
	assert_true(a.octet >= NETNS_OCTET_MIN);
	netns_teardown(&a);
}

/* Ours are all gone; when no other bench process holds an address (another
 * may run alongside), nothing of the module is left at all. */
static void nothing_left_behind(void **state)
{
	(void)state;
	need_netns();
	char out[8192], mine[32];
	snprintf(mine, sizeof(mine), "bench-%d-", (int)getpid());
	assert_int_equal(IP_OUT(out, "netns", "list"), 0);
	assert_null(strstr(out, mine));
	if (!addr_dir_empty()) {
		print_message("another bench process holds addresses: bridge check skipped\n");
		return;
	}
	assert_null(strstr(out, "bench-"));
	assert_false(link_exists(NETNS_BRIDGE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(setup_reach_teardown),
	    cmocka_unit_test(two_slots_share_bridge),
	    cmocka_unit_test(partial_and_double_teardown),
	    cmocka_unit_test(stale_address_reclaimed),
	    cmocka_unit_test(failure_undone),
	    cmocka_unit_test(tap_attach_and_teardown),
	    cmocka_unit_test(nothing_left_behind),
	};
	return cmocka_run_group_tests_name("netns", tests, NULL, NULL);
}
