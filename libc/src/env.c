/* The environment: getenv, setenv, unsetenv over `environ`, which start-up
   points at the strings the kernel put on the stack. setenv copies the
   array to the heap the first time it must grow it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char** environ;
static char** heap_environ; /* the array setenv allocated, if environ is it */

static int valid_name(const char* name) {
    return name && *name && !strchr(name, '=');
}

/* The index of "name=..." in environ, or -1. */
static long find(const char* name) {
    size_t len = strlen(name);
    for (long i = 0; environ && environ[i]; i++)
        if (!strncmp(environ[i], name, len) && environ[i][len] == '=') return i;
    return -1;
}

char* getenv(const char* name) {
    if (!valid_name(name)) return NULL;
    long i = find(name);
    return i < 0 ? NULL : environ[i] + strlen(name) + 1;
}

int setenv(const char* name, const char* value, int overwrite) {
    if (!valid_name(name)) {
        errno = EINVAL;
        return -1;
    }
    long i = find(name);
    if (i >= 0 && !overwrite) return 0;

    /* The replaced string is not freed: a caller may still hold it, as
       getenv's result or as its own putenv-style string. */
    size_t nlen = strlen(name), vlen = strlen(value);
    char* entry = malloc(nlen + 1 + vlen + 1);
    if (!entry) return -1; /* errno is ENOMEM */
    memcpy(entry, name, nlen);
    entry[nlen] = '=';
    memcpy(entry + nlen + 1, value, vlen + 1);
    if (i >= 0) {
        environ[i] = entry;
        return 0;
    }

    size_t count = 0;
    while (environ && environ[count]) count++;
    char** grown;
    if (environ && environ == heap_environ) {
        grown = realloc(environ, (count + 2) * sizeof(char*));
    } else {
        grown = malloc((count + 2) * sizeof(char*));
        if (grown && count) memcpy(grown, environ, count * sizeof(char*));
    }
    if (!grown) {
        free(entry);
        return -1;
    }
    grown[count] = entry;
    grown[count + 1] = NULL;
    environ = heap_environ = grown;
    return 0;
}

int unsetenv(const char* name) {
    if (!valid_name(name)) {
        errno = EINVAL;
        return -1;
    }
    long i;
    while ((i = find(name)) >= 0) /* every copy, should there be several */
        for (; environ[i]; i++) environ[i] = environ[i + 1];
    return 0;
}
