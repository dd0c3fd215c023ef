#ifndef SYSGATE_STDLIB_H
#define SYSGATE_STDLIB_H

#include <sysgate/cdefs.h>
#define __need_size_t
#define __need_NULL
#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

__SG_BEGIN_DECLS
/* Memory from the program break (brk), 16-byte aligned. */
void* malloc(size_t size);
void free(void* p);
void* calloc(size_t count, size_t size);
void* realloc(void* p, size_t size);

__sg_noreturn void exit(int status);
__sg_noreturn void _Exit(int status);
__sg_noreturn void abort(void);
int atexit(void (*fn)(void));

int atoi(const char* s);
long atol(const char* s);
long long atoll(const char* s);
long strtol(const char* __restrict s, char** __restrict end, int base);
unsigned long strtoul(const char* __restrict s, char** __restrict end, int base);
long long strtoll(const char* __restrict s, char** __restrict end, int base);
unsigned long long strtoull(const char* __restrict s, char** __restrict end, int base);

int abs(int x);
long labs(long x);
long long llabs(long long x);

char* getenv(const char* name);
int setenv(const char* name, const char* value, int overwrite);
int unsetenv(const char* name);

void qsort(void* base, size_t count, size_t size, int (*cmp)(const void*, const void*));
void* bsearch(const void* key, const void* base, size_t count, size_t size, int (*cmp)(const void*, const void*));

int rand(void);
void srand(unsigned seed);
__SG_END_DECLS

#endif
