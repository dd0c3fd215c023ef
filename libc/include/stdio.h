#ifndef SYSGATE_STDIO_H
#define SYSGATE_STDIO_H

#include <stdarg.h>
#include <sysgate/cdefs.h>
#include <sysgate/types.h>

#define EOF (-1)
#define BUFSIZ 1024
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

/* Opaque: see libc/src/stdio.c. */
typedef struct __sg_file FILE;

__SG_BEGIN_DECLS
/* stdout is line-buffered, stderr unbuffered, stdin buffered. */
extern FILE* const stdin;
extern FILE* const stdout;
extern FILE* const stderr;
#define stdin stdin
#define stdout stdout
#define stderr stderr

FILE* fopen(const char* __restrict path, const char* __restrict mode);
FILE* fdopen(int fd, const char* mode);
int fclose(FILE* f);
int fflush(FILE* f); /* NULL flushes every stream */
int fileno(FILE* f);
int feof(FILE* f);
int ferror(FILE* f);
void clearerr(FILE* f);

int fputc(int c, FILE* f);
int putc(int c, FILE* f);
int putchar(int c);
int fputs(const char* __restrict s, FILE* __restrict f);
int puts(const char* s);
size_t fwrite(const void* __restrict p, size_t size, size_t count, FILE* __restrict f);

int fgetc(FILE* f);
int getc(FILE* f);
int getchar(void);
int ungetc(int c, FILE* f);
char* fgets(char* __restrict s, int size, FILE* __restrict f);
size_t fread(void* __restrict p, size_t size, size_t count, FILE* __restrict f);

int printf(const char* __restrict fmt, ...) __sg_printf(1, 2);
int fprintf(FILE* __restrict f, const char* __restrict fmt, ...) __sg_printf(2, 3);
int dprintf(int fd, const char* __restrict fmt, ...) __sg_printf(2, 3);
int sprintf(char* __restrict s, const char* __restrict fmt, ...) __sg_printf(2, 3);
int snprintf(char* __restrict s, size_t n, const char* __restrict fmt, ...) __sg_printf(3, 4);
int vprintf(const char* __restrict fmt, va_list ap) __sg_printf(1, 0);
int vfprintf(FILE* __restrict f, const char* __restrict fmt, va_list ap) __sg_printf(2, 0);
int vdprintf(int fd, const char* __restrict fmt, va_list ap) __sg_printf(2, 0);
int vsprintf(char* __restrict s, const char* __restrict fmt, va_list ap) __sg_printf(2, 0);
int vsnprintf(char* __restrict s, size_t n, const char* __restrict fmt, va_list ap) __sg_printf(3, 0);

/* A subset of scanf: %d %i %u %x %o %s %c %n %%, with widths and the
   length modifiers hh h l ll z j t, '*' to skip; whitespace in the format
   matches any amount of input whitespace. */
int sscanf(const char* __restrict s, const char* __restrict fmt, ...) __sg_scanf(2, 3);
int vsscanf(const char* __restrict s, const char* __restrict fmt, va_list ap) __sg_scanf(2, 0);

void perror(const char* s);
__SG_END_DECLS

#endif
