/* echo [-n] [ARG...]: the arguments separated by spaces, then a newline
 * unless -n. */
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
    int newline = 1, i = 1;
    for (; i < argc && !strcmp(argv[i], "-n"); i++) newline = 0;
    for (int first = i; i < argc; i++) {
        if (i > first) putchar(' ');
        fputs(argv[i], stdout);
    }
    if (newline) putchar('\n');
    return fflush(stdout) ? 1 : 0;
}
