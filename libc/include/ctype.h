/* Character classes of the "C" locale (ASCII); other bytes are in no class. */
#ifndef SYSGATE_CTYPE_H
#define SYSGATE_CTYPE_H

#include <sysgate/cdefs.h>

__SG_BEGIN_DECLS
int isalnum(int c);
int isalpha(int c);
int isblank(int c);
int iscntrl(int c);
int isdigit(int c);
int isgraph(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int isascii(int c);
int tolower(int c);
int toupper(int c);
__SG_END_DECLS

#endif
