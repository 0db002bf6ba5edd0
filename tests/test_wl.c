/* Tests of the static workload program wl ("$BENCH_BUILD/wl"): it is static,
 * every workload runs with tiny arguments and prints well-formed rep
 * objects, usage errors exit 2 naming the valid choices, and the agent
 * protocol works over pipes. No shell: fork/execv with argument vectors. */
#include <arpa/inet.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <linux/magic.h>

#include "testutil.h"

#define TIMEOUT_S 20

static char wl_path[PATH_MAX];

/* Runs wl with the NULL-terminated args after argv[0]; output in memfds. */
/* Waits (bounded) for a process the test started itself. */
static int wait_agent(pid_t pid)
{
	bool timed_out;
	int status = wait_bounded(pid, TIMEOUT_S, &timed_out);
	if (timed_out)
		fail_msg("wl did not finish within %d s", TIMEOUT_S);
	return status;
}

static struct cmd_result run_wl(const char *arg, ...)
{
	char *argv[32] = {wl_path};
	size_t n = 1;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	struct cmd_result r = run_cmd_bounded(argv, TIMEOUT_S);
	if (r.timed_out)
		fail_msg("wl did not finish within %d s", TIMEOUT_S);
	return r;
}

static int setup_path(void **state)
{
	const char *b = getenv("BENCH_BUILD");

	(void)state;
	snprintf(wl_path, sizeof(wl_path), "%s/wl", b && *b ? b : "build");
	return access(wl_path, X_OK) == 0 ? 0 : -1;
}

/* 1. No interpreter, no dynamic section: runs in an initramfs as is. */
static void wl_is_static(void **state)
{
	Elf64_Ehdr eh;
	int fd = open(wl_path, O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &eh, sizeof(eh), 0), sizeof(eh));
	assert_memory_equal(eh.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh.e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(eh.e_phentsize, sizeof(Elf64_Phdr));
	assert_true(eh.e_phnum > 0);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		assert_int_equal(pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))),
		                 sizeof(ph));
		assert_int_not_equal(ph.p_type, PT_INTERP);
		assert_int_not_equal(ph.p_type, PT_DYNAMIC);
	}
	close(fd);
}

/* Checks one rep object against the documented shape. */
static void check_rep(json_t *o, const char *name, json_int_t rep, const char *unit,
                      const char *better, json_int_t threads)
{
	json_t *metrics = json_object_get(o, "metrics"), *config = json_object_get(o, "config"),
	       *pin = json_object_get(o, "pinning"), *m;
	size_t i;

	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), 8);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "rep");
	assert_string_equal(json_string_value(json_object_get(o, "workload")), name);
	assert_int_equal(json_integer_value(json_object_get(o, "rep")), rep);
	assert_true(json_is_integer(json_object_get(o, "rep")));
	assert_true(json_is_real(json_object_get(o, "elapsed_s")));
	assert_true(json_real_value(json_object_get(o, "elapsed_s")) > 0);
	assert_true(json_is_true(json_object_get(o, "valid")));
	assert_true(json_is_array(metrics) && json_array_size(metrics) > 0);
	json_array_foreach(metrics, i, m)
	{
		double v = json_real_value(json_object_get(m, "value"));

		assert_int_equal(json_object_size(m), 4);
		assert_non_null(json_string_value(json_object_get(m, "name")));
		assert_string_equal(json_string_value(json_object_get(m, "unit")), unit);
		assert_string_equal(json_string_value(json_object_get(m, "better")), better);
		assert_true(json_is_real(json_object_get(m, "value")));
		assert_true(isfinite(v) && v > 0);
	}
	assert_true(json_is_object(config));
	assert_int_equal(json_integer_value(json_object_get(config, "threads")), threads);
	assert_true(json_is_object(pin));
	assert_int_equal(json_object_size(pin), 5);
	assert_non_null(json_string_value(json_object_get(pin, "mem_policy")));
	assert_non_null(json_string_value(json_object_get(pin, "cpus_allowed")));
	assert_non_null(json_string_value(json_object_get(pin, "cpus_ran")));
	assert_non_null(json_string_value(json_object_get(pin, "mem_nodes")));
	assert_int_equal(json_array_size(json_object_get(pin, "thread_cpus")), threads);
}

/* Parses `out` as `n` rep lines of workload w and checks each. */
static void check_reps(const char *out, json_t *w, int n, json_int_t threads)
{
	const char *name = json_string_value(json_object_get(w, "name"));
	const char *p = out;

	for (int r = 0; r < n; r++) {
		const char *nl = strchr(p, '\n');
		json_error_t e;
		json_t *o;

		assert_non_null(nl);
		o = json_loadb(p, (size_t)(nl - p), 0, &e);
		if (!o)
			fail_msg("%s rep %d: bad JSON: %s", name, r, e.text);
		check_rep(o, name, r, json_string_value(json_object_get(w, "unit")),
		          json_string_value(json_object_get(w, "better")), threads);
		json_decref(o);
		p = nl + 1;
	}
	assert_string_equal(p, "");
}

static json_t *load_list(void)
{
	struct cmd_result r = run_wl("list", "--json", NULL);
	json_error_t e;
	json_t *list;

	assert_int_equal(r.status, 0);
	list = json_loads(r.out, 0, &e);
	cmd_result_free(&r);
	assert_true(json_is_array(list));
	return list;
}

/* Runs workload w with tiny arguments for the options it takes; without
 * --iterations when iterations is NULL (bounded by time or defaults). */
static void run_tiny(json_t *w, const char *threads, const char *iterations)
{
	const char *argv[24] = {"run", json_string_value(json_object_get(w, "name"))};
	json_t *params = json_object_get(w, "params"), *p;
	size_t n = 2, i;
	struct cmd_result r;

	json_array_foreach(params, i, p)
	{
		const char *s = json_string_value(p);

		if (strcmp(s, "size") == 0)
			argv[n++] = "--size", argv[n++] = "64K";
		else if (strcmp(s, "duration") == 0)
			argv[n++] = "--duration", argv[n++] = "0.02";
		else if (strcmp(s, "iterations") == 0 && iterations)
			argv[n++] = "--iterations", argv[n++] = iterations;
		else if (strcmp(s, "threads") == 0)
			argv[n++] = "--threads", argv[n++] = threads;
	}
	argv[n++] = "--reps", argv[n++] = "2";
	argv[n] = NULL;
	r = run_wl(argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], argv[8],
	           argv[9], argv[10], argv[11], argv[12], argv[13], argv[14], NULL);
	if (r.status != 0)
		fail_msg("wl run %s: exit %d: %s", argv[1], r.status, r.err);
	check_reps(r.out, w, 2, atoi(threads));
	cmd_result_free(&r);
}

/* 2. Every listed workload, tiny and quick. */
static void every_workload_runs(void **state)
{
	json_t *list = load_list(), *w;
	const char *order[] = {"cpu.int",    "cpu.fp",     "mem.stream", "mem.latency",
	                       "mem.random", "os.syscall", "os.ctxsw"};
	size_t i, nnet = 0, ndisk = 0;

	(void)state;
	assert_int_equal(json_array_size(list) - 3 - 4, 7); /* 3 net.*, 4 disk.* */
	json_array_foreach(list, i, w)
	{
		const char *name = json_string_value(json_object_get(w, "name"));

		if (strncmp(name, "net.", 4) == 0) {
			nnet++; /* they need a peer: net_workloads runs them */
			continue;
		}
		if (strncmp(name, "disk.", 5) == 0) {
			ndisk++; /* they need a real filesystem: disk_workloads runs them */
			continue;
		}
		assert_string_equal(name, order[i - nnet - ndisk]);
		assert_non_null(json_string_value(json_object_get(w, "description")));
		run_tiny(w, "1", "3");
		run_tiny(w, "1", NULL);
		if (strcmp(name, "mem.stream") == 0 || strcmp(name, "os.ctxsw") == 0)
			run_tiny(w, "2", NULL);
	}
	assert_int_equal(nnet, 3);
	assert_int_equal(ndisk, 4);
	json_decref(list);
}

static void expect_usage(struct cmd_result r, const char *in_stderr)
{
	assert_int_equal(r.status, 2);
	if (!strstr(r.err, in_stderr))
		fail_msg("stderr lacks '%s': %s", in_stderr, r.err);
	assert_string_equal(r.out, "");
	cmd_result_free(&r);
}

/* 3. Wrong arguments exit 2 and say what is valid. */
static void usage_errors(void **state)
{
	struct cmd_result r = run_wl("run", "nope", NULL);

	(void)state;
	assert_non_null(strstr(r.err, "cpu.int"));
	expect_usage(r, "os.ctxsw");
	expect_usage(run_wl("nope", NULL), "mem.stream");
	expect_usage(run_wl("run", "cpu.int", "--bogus", "1", NULL), "--threads");
	expect_usage(run_wl("run", "cpu.int", "--threads", "abc", NULL), "--threads");
	expect_usage(run_wl("run", "cpu.int", "--threads", "0", NULL), "--threads");
	expect_usage(run_wl("run", "mem.stream", "--size", "12Q", NULL), "--size");
	expect_usage(run_wl("run", "os.syscall", "--duration", "-1", NULL), "--duration");
	expect_usage(run_wl("run", "os.syscall", "--size", "64K", NULL), "--iterations");
	expect_usage(run_wl("run", "os.syscall", "--iterations", NULL), "needs a value");
	expect_usage(run_wl("list", "--xml", NULL), "--json");
	expect_usage(run_wl(NULL), "usage");
	r = run_wl("--version", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "0.1.0"));
	cmd_result_free(&r);
}

/* The agent over pipes, one command and its reply at a time. */
struct agent {
	pid_t pid;
	int in, out;
	char buf[65536];
	size_t len;
};

/* Starts wl with argv, stdin and stdout as pipes in a. */
static void wl_start(struct agent *a, char *const argv[])
{
	int to[2], from[2];

	assert_int_equal(pipe(to), 0);
	assert_int_equal(pipe(from), 0);
	a->len = 0;
	a->pid = fork();
	assert_true(a->pid >= 0);
	if (a->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]), close(to[1]), close(from[0]), close(from[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	a->in = to[1];
	a->out = from[0];
}

static void agent_start(struct agent *a)
{
	char *argv[] = {wl_path, "agent", NULL};

	wl_start(a, argv);
}

static json_t *agent_read(struct agent *a)
{
	char *nl;
	json_t *o;

	while (!(nl = memchr(a->buf, '\n', a->len))) {
		struct pollfd p = {.fd = a->out, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, TIMEOUT_S * 1000) != 1)
			fail_msg("agent: no reply within %d s", TIMEOUT_S);
		n = read(a->out, a->buf + a->len, sizeof(a->buf) - a->len);
		if (n <= 0)
			fail_msg("agent: EOF before a reply");
		a->len += (size_t)n;
	}
	o = json_loadb(a->buf, (size_t)(nl - a->buf), 0, NULL);
	if (!o)
		fail_msg("agent: bad JSON line: %.*s", (int)(nl - a->buf), a->buf);
	a->len -= (size_t)(nl + 1 - a->buf);
	memmove(a->buf, nl + 1, a->len);
	return o;
}

/* Sends line and returns the reply, checking its type. */
static json_t *agent_cmd(struct agent *a, const char *line, const char *type)
{
	json_t *o;

	assert_int_equal(write(a->in, line, strlen(line)), (ssize_t)strlen(line));
	o = agent_read(a);
	if (strcmp(json_string_value(json_object_get(o, "type")), type) != 0)
		fail_msg("agent: after '%.*s' got type %s, want %s", (int)strcspn(line, "\n"), line,
		         json_string_value(json_object_get(o, "type")), type);
	return o;
}

/* 4. ready, opened, rep 0 and 1, closed, errors that do not end it, bye. */
static void agent_protocol(void **state)
{
	struct agent a;
	json_t *list = load_list(), *w = json_array_get(list, 5), *o; /* os.syscall */
	char buf[4];

	(void)state;
	agent_start(&a);
	o = agent_read(&a);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "ready");
	assert_string_equal(json_string_value(json_object_get(o, "version")), "0.1.0");
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), a.pid);
	json_decref(o);

	json_decref(agent_cmd(&a, "rep\n", "error"));
	o = agent_cmd(&a, "open\tos.syscall\t--iterations\t1000\n", "opened");
	assert_string_equal(json_string_value(json_object_get(o, "workload")), "os.syscall");
	assert_true(json_real_value(json_object_get(o, "setup_s")) >= 0);
	json_decref(o);
	json_decref(agent_cmd(&a, "open\tcpu.int\n", "error")); /* one at a time */
	for (int r = 0; r < 2; r++) {
		o = agent_cmd(&a, "rep\n", "rep");
		check_rep(o, "os.syscall", r, json_string_value(json_object_get(w, "unit")),
		          json_string_value(json_object_get(w, "better")), 1);
		json_decref(o);
	}
	json_decref(agent_cmd(&a, "close\n", "closed"));

	o = agent_cmd(&a, "frobnicate\n", "error");
	assert_non_null(strstr(json_string_value(json_object_get(o, "message")), "frobnicate"));
	assert_non_null(strstr(json_string_value(json_object_get(o, "message")), "open, rep"));
	json_decref(o);
	o = agent_cmd(&a, "open\tno.such\n", "error");
	assert_non_null(strstr(json_string_value(json_object_get(o, "message")), "mem.random"));
	json_decref(o);
	json_decref(agent_cmd(&a, "open\tcpu.int\t--size\tbig\n", "error"));
	json_decref(agent_cmd(&a, "open\tmem.stream\t--size\t64K\t--iterations\t2\n", "opened"));
	o = agent_cmd(&a, "rep\n", "rep");
	assert_int_equal(json_integer_value(json_object_get(o, "rep")), 0);
	json_decref(o);
	json_decref(agent_cmd(&a, "quit\n", "bye")); /* closes mem.stream itself */
	assert_int_equal(read(a.out, buf, sizeof(buf)), 0);
	assert_int_equal(wait_agent(a.pid), 0);
	close(a.in);
	close(a.out);

	/* EOF instead of quit: exits 0, no bye */
	agent_start(&a);
	json_decref(agent_read(&a));
	close(a.in);
	assert_int_equal(read(a.out, buf, sizeof(buf)), 0);
	assert_int_equal(wait_agent(a.pid), 0);
	close(a.out);
	json_decref(list);
}

/* `wl serve` over pipes: its "listening" line gives the ports. */
static void serve_start(struct agent *a, json_int_t *tcp, json_int_t *udp)
{
	char *argv[] = {wl_path, "serve", "--bind", "127.0.0.1", "--lifetime", "60", NULL};
	json_t *o;

	wl_start(a, argv);
	o = agent_read(a);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "listening");
	assert_string_equal(json_string_value(json_object_get(o, "address")), "127.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), a->pid);
	*tcp = json_integer_value(json_object_get(o, "tcp_port"));
	*udp = json_integer_value(json_object_get(o, "udp_port"));
	assert_true(*tcp > 0 && *tcp < 65536 && *udp > 0 && *udp < 65536);
	json_decref(o);
}

/* Closing its stdin ends `wl serve` with status 0 within 2 s. */
static void serve_stop(struct agent *a)
{
	struct timespec nap = {0, 10000000};
	int status = -1;

	close(a->in);
	for (int i = 0; i < 200 && waitpid(a->pid, &status, WNOHANG) == 0; i++)
		nanosleep(&nap, NULL);
	if (status == -1) {
		kill(a->pid, SIGKILL);
		waitpid(a->pid, &status, 0);
		fail_msg("wl serve still running 2 s after stdin EOF");
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(a->out);
}

/* The value of metric name in rep o, checking its unit and direction. */
static double net_metric(json_t *o, const char *name, const char *unit, const char *better)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(o, "metrics"), i, m)
	{
		double v = json_real_value(json_object_get(m, "value"));

		if (strcmp(json_string_value(json_object_get(m, "name")), name) != 0)
			continue;
		assert_string_equal(json_string_value(json_object_get(m, "unit")), unit);
		assert_string_equal(json_string_value(json_object_get(m, "better")), better);
		assert_true(json_is_real(json_object_get(m, "value")) && isfinite(v) && v >= 0);
		return v;
	}
	fail_msg("no metric %s", name);
	return 0;
}

/* Runs a net workload with 2 reps; checks the reps' shape and metrics. */
static void net_run(const char *name, const char *port_opt, json_int_t port, const char *extra)
{
	char portstr[16];
	struct cmd_result r;
	const char *p;

	snprintf(portstr, sizeof(portstr), "%lld", (long long)port);
	r = run_wl("run", name, "--peer", "127.0.0.1", port_opt, portstr, "--duration", "0.1",
	           "--reps", "2", extra, NULL);
	if (r.status != 0)
		fail_msg("wl run %s: exit %d: %s", name, r.status, r.err);
	p = r.out;
	for (int rep = 0; rep < 2; rep++) {
		const char *nl = strchr(p, '\n');
		json_t *o, *cfg;

		assert_non_null(nl);
		o = json_loadb(p, (size_t)(nl - p), 0, NULL);
		assert_non_null(o);
		assert_string_equal(json_string_value(json_object_get(o, "workload")), name);
		assert_true(json_is_true(json_object_get(o, "valid")));
		cfg = json_object_get(o, "config");
		assert_string_equal(json_string_value(json_object_get(cfg, "peer")), "127.0.0.1");
		if (strcmp(name, "net.tcp_stream") == 0) {
			assert_true(net_metric(o, "gbps", "Gbit/s", "higher") > 0);
			net_metric(o, "sender_cpu_pct", "%", "lower");
			net_metric(o, "receiver_cpu_pct", "%", "lower");
			net_metric(o, "retransmits", "count", "lower");
			assert_int_equal(json_integer_value(json_object_get(cfg, "streams")),
			                 extra ? 2 : 1);
		} else {
			assert_true(net_metric(o, "tps", "transactions/s", "higher") > 0);
			assert_true(net_metric(o, "lat_p50_us", "us", "lower") <=
			            net_metric(o, "lat_p90_us", "us", "lower"));
			assert_true(net_metric(o, "lat_p90_us", "us", "lower") <=
			            net_metric(o, "lat_p99_us", "us", "lower"));
			assert_true(net_metric(o, "lat_p99_us", "us", "lower") <=
			            net_metric(o, "lat_p999_us", "us", "lower"));
			assert_int_equal(json_integer_value(json_object_get(cfg, "req_size")), 100);
		}
		json_decref(o);
		p = nl + 1;
	}
	assert_string_equal(p, "");
	cmd_result_free(&r);
}

/* 5. The net workloads against `wl serve` on loopback. */
static void net_workloads(void **state)
{
	struct agent a;
	json_int_t tcp, udp;

	(void)state;
	serve_start(&a, &tcp, &udp);
	net_run("net.tcp_stream", "--port", tcp, NULL);
	net_run("net.tcp_stream", "--port", tcp, "--streams=2");
	net_run("net.tcp_rr", "--port", tcp, NULL);
	net_run("net.udp_rr", "--udp-port", udp, NULL);
	serve_stop(&a);
	expect_usage(run_wl("serve", "--bogus", NULL), "--lifetime");
	expect_usage(run_wl("serve", "--bind", "localhost", NULL), "numeric");
}

/* A loopback socket of type bound to a kernel-chosen port (listening if
 * TCP); the port in *port. */
static int loopback_socket(int type, char *port, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true(type != SOCK_STREAM || listen(fd, 4) == 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(port, len, "%u", ntohs(sa.sin_port));
	return fd;
}

/* Runs name against a peer that never answers: exit 1 within 2 s, saying so. */
static void expect_net_error(const char *name, const char *port_opt, const char *port,
                             const char *in_stderr)
{
	struct timespec t0, t1;
	struct cmd_result r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = run_wl("run", name, "--peer", "127.0.0.1", port_opt, port, "--io-timeout", "0.3", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(r.status, 1);
	if (!strstr(r.err, in_stderr))
		fail_msg("%s: stderr lacks '%s': %s", name, in_stderr, r.err);
	assert_true((double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9 < 2.0);
	assert_string_equal(r.out, "");
	cmd_result_free(&r);
}

/* 6. Silent peers time out, closed ports are refused, --peer is required. */
static void net_errors(void **state)
{
	char port[16];
	int fd;
	struct cmd_result r;

	(void)state;
	fd = loopback_socket(SOCK_STREAM, port, sizeof(port)); /* accepts, never answers */
	expect_net_error("net.tcp_rr", "--port", port, "--io-timeout");
	expect_net_error("net.tcp_stream", "--port", port, "timed out");
	close(fd);
	expect_net_error("net.tcp_rr", "--port", port, "refused");
	fd = loopback_socket(SOCK_DGRAM, port, sizeof(port)); /* never replies */
	expect_net_error("net.udp_rr", "--udp-port", port, "--io-timeout");
	close(fd);
	r = run_wl("run", "net.tcp_rr", "--port", "1", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "--peer"));
	cmd_result_free(&r);
	r = run_wl("run", "net.udp_rr", "--peer", "127.0.0.1", "--port", "1", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "--udp-port"));
	cmd_result_free(&r);
}

/* Disk workloads: a directory on a real (not in-memory) filesystem, made
 * under the build directory or /var/tmp; "" if there is none. */
static void disk_test_dir(char *dir, size_t len)
{
	const char *b = getenv("BENCH_BUILD");
	const char *bases[] = {b && *b ? b : "build", "/var/tmp", "."};
	struct statfs sf;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (statfs(bases[i], &sf) < 0 || sf.f_type == TMPFS_MAGIC ||
		    sf.f_type == RAMFS_MAGIC)
			continue;
		snprintf(dir, len, "%s/wl-disk-test.XXXXXX", bases[i]);
		if (mkdtemp(dir))
			return;
	}
	dir[0] = '\0';
}

/* Entries of dir other than . and .. */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static double disk_metric(json_t *metrics, const char *name, const char *unit, const char *better)
{
	json_t *m;
	size_t i;

	json_array_foreach(metrics, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "name")), name) != 0)
			continue;
		assert_string_equal(json_string_value(json_object_get(m, "unit")), unit);
		assert_string_equal(json_string_value(json_object_get(m, "better")), better);
		return json_real_value(json_object_get(m, "value"));
	}
	fail_msg("metric %s missing", name);
	return 0;
}

/* Checks the n rep lines of a disk workload run. */
static void check_disk_reps(const char *out, const char *name, int n, bool direct)
{
	bool rnd = strstr(name, "rand") != NULL;
	const char *p = out;

	for (int r = 0; r < n; r++) {
		const char *nl = strchr(p, '\n');
		json_t *o, *config, *metrics;

		assert_non_null(nl);
		o = json_loadb(p, (size_t)(nl - p), 0, NULL);
		assert_non_null(o);
		assert_string_equal(json_string_value(json_object_get(o, "workload")), name);
		assert_int_equal(json_integer_value(json_object_get(o, "rep")), r);
		assert_true(json_is_true(json_object_get(o, "valid")));
		config = json_object_get(o, "config");
		metrics = json_object_get(o, "metrics");
		assert_string_equal(json_string_value(json_object_get(config, "target")), "file");
		assert_string_equal(json_string_value(json_object_get(config, "engine")),
		                    "io_uring");
		assert_int_equal(json_is_true(json_object_get(config, "direct")), direct);
		assert_int_equal(json_integer_value(json_object_get(config, "qd")), 32);
		assert_int_equal(json_integer_value(json_object_get(config, "block_size")),
		                 rnd ? 4096 : 1048576);
		assert_int_equal(json_integer_value(json_object_get(config, "size_bytes")),
		                 8 << 20);
		if (rnd) {
			double p50 = disk_metric(metrics, "lat_p50_us", "us", "lower");
			double p99 = disk_metric(metrics, "lat_p99_us", "us", "lower");

			double iops = disk_metric(metrics, "iops", "IOPS", "higher");

			assert_int_equal(json_array_size(metrics), 3);
			assert_true(iops > 0);
			assert_true(p50 > 0 && p50 <= p99);
			/* At most qd latencies overlap within the rep, so their mean
			 * is at most qd / IOPS, and the median at most twice that. */
			if (p50 > 2 * 32 * 1e6 / iops)
				fail_msg("%s: p50 %.1f us exceeds 2 qd / IOPS = %.1f us", name, p50,
				         2 * 32 * 1e6 / iops);
		} else {
			assert_int_equal(json_array_size(metrics), 1);
			assert_true(disk_metric(metrics, "mbps", "MB/s", "higher") > 0);
		}
		json_decref(o);
		p = nl + 1;
	}
	assert_string_equal(p, "");
}

/* 7. Every disk workload on a scratch file in a real directory, which is
 * empty again afterwards; --disk-path leaves its file in place. */
static void disk_workloads(void **state)
{
	const char *names[] = {"disk.seq_read", "disk.seq_write", "disk.rand_read",
	                       "disk.rand_write"};
	char dir[PATH_MAX], file[PATH_MAX + 16];
	struct cmd_result r;
	struct stat st;
	int fd;

	(void)state;
	disk_test_dir(dir, sizeof(dir));
	if (!dir[0])
		skip();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = run_wl("run", names[i], "--disk-dir", dir, "--size", "8M", "--duration", "0.05",
		           "--reps", "2", NULL);
		if (r.status != 0)
			fail_msg("wl run %s: exit %d: %s", names[i], r.status, r.err);
		check_disk_reps(r.out, names[i], 2, true);
		cmd_result_free(&r);
		assert_int_equal(dir_entries(dir), 0);
	}
	r = run_wl("run", "disk.rand_write", "--disk-dir", dir, "--size", "8M", "--iterations",
	           "500", NULL);
	assert_int_equal(r.status, 0);
	cmd_result_free(&r);

	snprintf(file, sizeof(file), "%s/target", dir);
	fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	close(fd);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = run_wl("run", names[i], "--disk-path", file, "--size", "8M", "--duration",
		           "0.05", NULL);
		if (r.status != 0)
			fail_msg("wl run %s --disk-path: exit %d: %s", names[i], r.status, r.err);
		check_disk_reps(r.out, names[i], 1, true);
		cmd_result_free(&r);
	}
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_size, 8 << 20);
	assert_int_equal(dir_entries(dir), 1);
	assert_int_equal(unlink(file), 0);

	r = run_wl("run", "disk.rand_read", "--disk-dir", dir, "--size", "8M", "--block-size",
	           "1000", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "--block-size"));
	cmd_result_free(&r);
	assert_int_equal(dir_entries(dir), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* 8. In memory (tmpfs): O_DIRECT is refused with a hint, --buffered runs. */
static void disk_tmpfs(void **state)
{
	char dir[] = "/dev/shm/wl-disk-test.XXXXXX";
	struct statfs sf;
	struct cmd_result r;

	(void)state;
	if (statfs("/dev/shm", &sf) < 0 || sf.f_type != TMPFS_MAGIC || !mkdtemp(dir))
		skip();
	r = run_wl("run", "disk.rand_read", "--disk-dir", dir, "--size", "8M", "--duration", "0.05",
	           NULL);
	assert_int_equal(r.status, 1);
	if (!strstr(r.err, "O_DIRECT") || !strstr(r.err, "--buffered"))
		fail_msg("no O_DIRECT hint: %s", r.err);
	assert_string_equal(r.out, "");
	cmd_result_free(&r);
	r = run_wl("run", "disk.rand_read", "--disk-dir", dir, "--size", "8M", "--duration", "0.05",
	           "--buffered", "--reps", "2", NULL);
	if (r.status != 0)
		fail_msg("--buffered on tmpfs: exit %d: %s", r.status, r.err);
	check_disk_reps(r.out, "disk.rand_read", 2, false);
	cmd_result_free(&r);
	assert_int_equal(dir_entries(dir), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* Overwrites the block number in the header of the 4 KiB block at off of
 * file (buffered; an O_DIRECT read writes the page cache back first). */
static void corrupt_block(const char *file, off_t off)
{
	uint64_t garbage = 0xdeadbeefdeadbeefull;
	int fd = open(file, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &garbage, sizeof(garbage), off + 8), sizeof(garbage));
	assert_int_equal(fsync(fd), 0);
	close(fd);
}

/* 9. A block corrupted on disk fails the next rep of the read workloads
 * with its I/O's offset, whether it is the first block of an I/O (4 KiB:
 * the only one) or the last (8 KiB I/Os); 2000 random reads over 16 blocks
 * reach it. The rep before the corruption is valid. */
static void disk_corruption(void **state)
{
	static const struct {
		const char *workload, *bs;
		off_t corrupt, io_off;
	} cases[] = {
	    {"disk.rand_read", "4K", 5 * 4096, 5 * 4096},
	    {"disk.rand_read", "8K", 3 * 4096, 2 * 4096},
	    {"disk.seq_read", "8K", 7 * 4096, 6 * 4096},
	};
	char dir[PATH_MAX], file[PATH_MAX + 16], line[PATH_MAX + 128], want[64];
	struct agent a;
	json_t *o;
	int fd;

	(void)state;
	disk_test_dir(dir, sizeof(dir));
	if (!dir[0])
		skip();
	snprintf(file, sizeof(file), "%s/target", dir);
	fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		agent_start(&a);
		json_decref(agent_read(&a));
		snprintf(line, sizeof(line),
		         "open\t%s\t--disk-path\t%s\t--size\t64K\t--block-size\t%s\t--"
		         "iterations\t2000\n",
		         cases[i].workload, file, cases[i].bs);
		json_decref(agent_cmd(&a, line, "opened"));
		o = agent_cmd(&a, "rep\n", "rep");
		assert_true(json_is_true(json_object_get(o, "valid")));
		json_decref(o);
		corrupt_block(file, cases[i].corrupt);
		o = agent_cmd(&a, "rep\n", "error");
		snprintf(want, sizeof(want), "offset %lld ", (long long)cases[i].io_off);
		if (!strstr(json_string_value(json_object_get(o, "message")),
		            "validation failed") ||
		    !strstr(json_string_value(json_object_get(o, "message")), want))
			fail_msg("%s %s, block at %lld corrupted: %s", cases[i].workload,
			         cases[i].bs, (long long)cases[i].corrupt,
			         json_string_value(json_object_get(o, "message")));
		json_decref(o);
		json_decref(agent_cmd(&a, "quit\n", "bye"));
		assert_int_equal(wait_agent(a.pid), 0);
		close(a.in);
		close(a.out);
	}
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(wl_is_static),    cmocka_unit_test(every_workload_runs),
	    cmocka_unit_test(usage_errors),    cmocka_unit_test(agent_protocol),
	    cmocka_unit_test(net_workloads),   cmocka_unit_test(net_errors),
	    cmocka_unit_test(disk_workloads),  cmocka_unit_test(disk_tmpfs),
	    cmocka_unit_test(disk_corruption),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("wl", tests, setup_path, NULL);
}
