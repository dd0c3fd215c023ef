/* hello: the first program to copy. Built twice like every file here:
 * /bin/hello (64-bit) and /bin/hello32 (32-bit). */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    printf("hello, world from a %d-bit program, pid %d\n", (int)sizeof(void*) * 8, getpid());
    return 0;
}
