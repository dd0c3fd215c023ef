/* sleep SECONDS...: waits for the sum of its arguments, which may have
 * fractions ("0.25"). */
#include <errno.h>
#include <stdio.h>
#include <time.h>

/* "12.345" as nanoseconds; -1 if it is not such a number. */
static long long parse_seconds(const char* s) {
    long long seconds = 0, fraction = 0, scale = 1000000000;
    const char* p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        seconds = seconds * 10 + (*p - '0');
        if (seconds > 1000000000) return -1; /* more than 30 years */
    }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale >= 10) fraction += (*p - '0') * (scale /= 10);
    if (*p || p == s || (p == s + 1 && *s == '.')) return -1;
    return seconds * 1000000000 + fraction;
}

static int sleep_for(long long ns) {
    struct timespec left = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&left, &left) < 0) {
        if (errno != EINTR) {
            perror("sleep");
            return 1;
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fputs("usage: sleep SECONDS...\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (parse_seconds(argv[i]) < 0) {
            fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[i]);
            return 2;
        }
    }
    /* One at a time: each fits a 32-bit time_t. */
    for (int i = 1; i < argc; i++)
        if (sleep_for(parse_seconds(argv[i]))) return 1;
    return 0;
}
