/* The fake vDSOs libc.mk links (libc/test/fake_vdso.S), embedded in the
 * unit-test binary as files: libc_test_vdso_<name> .. _end. The test loads
 * each one the way a kernel maps it before looking symbols up. */
        .section .rodata
        .irp name, sysv, gnu, prelinked, elf32
        .balign 64
        .globl libc_test_vdso_\name
libc_test_vdso_\name:
        .incbin "vdso-\name\().so"
        .globl libc_test_vdso_\name\()_end
libc_test_vdso_\name\()_end:
        .endr

        .section .note.GNU-stack, "", @progbits
