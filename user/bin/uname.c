/* uname [-asnrvm]: system information, in this order: kernel name (-s, the
 * default), node name (-n), release (-r), version (-v), machine (-m); -a
 * prints them all. A 32-bit program is told i686, a 64-bit one x86_64. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

int main(int argc, char** argv) {
    static const char letters[] = "snrvm";
    int wanted = 0; /* bit i: letters[i] */
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || !argv[i][1]) goto usage;
        for (const char* o = argv[i] + 1; *o; o++) {
            const char* at = strchr(letters, *o);
            if (*o == 'a')
                wanted = (1 << 5) - 1;
            else if (at)
                wanted |= 1 << (at - letters);
            else
                goto usage;
        }
    }
    if (!wanted) wanted = 1;

    struct utsname u;
    if (uname(&u) < 0) {
        perror("uname");
        return 1;
    }
    const char* fields[] = {u.sysname, u.nodename, u.release, u.version, u.machine};
    const char* separator = "";
    for (int i = 0; i < 5; i++) {
        if (!(wanted & (1 << i))) continue;
        printf("%s%s", separator, fields[i]);
        separator = " ";
    }
    putchar('\n');
    return 0;

usage:
    fputs("usage: uname [-asnrvm]\n", stderr);
    return 2;
}
