// The second half of boot: the system-call layer, the file tree, the
// first program, then the idle loop.
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/entry/interrupts.h"
#include "arch/x86/mm/layout.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/tty.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/shutdown.h"
#include "kernel/strings.h"
#include "kernel/syscall/dispatch.h"
#include "kernel/syscall/sys_segments.h"
#include "kernel/trap.h"
#include "kernel/vdso.h"
#include "kernel/vsyscall_page.h"

namespace {

// Every way back to user mode passes here with interrupts disabled:
// give up the CPU if the time slice is over, then deliver signals.
void exit_to_user(x86::RegisterFrame& frame) {
    Process* p = current_process();
    if (!p || p->is_idle) return; // the boot self-tests' ring-3 probe
    // What makes switching tasks below safe: the frame is the task's own,
    // at the top of its kernel stack, never one on a shared IST stack
    // (arch/x86/entry/vectors.asm moves those).
    if (&frame != &p->frame()) panic("return to user mode with a frame at {:#x}, not the task's", uint64_t(&frame));
    if (sched::need_resched()) sched::schedule();
    if (p->ptrace.interrupt) ptrace::on_return_to_user(frame); // PTRACE_INTERRUPT's stop
    if (signals::has_deliverable(*p)) signals::deliver(frame);
    // One handler frame per return: the next return delivers the next
    // signal. Until none is left, every return comes this way.
    if (!signals::has_deliverable(*p)) sched::clear_work(x86::work::SIGNAL);
    // Interrupted by a signal that ran no handler (one that was ignored, or
    // that another wake-up raced): make the call again, as if never woken.
    if (signals::interrupted_call(frame)) x86::entry::rewind_to_gate(frame);
}

void on_user_fault(x86::RegisterFrame& frame) {
    Process* p = current_process();
    uint64_t address = 0;
    if (frame.entry == x86::idt::PAGE_FAULT) {
        address = x86::read_cr2();
        if (vsyscall_page::handle_fault(frame, address)) return; // a call of the legacy page
        // First touch of memory the program may use: allocate it.
        if (p->mm && p->mm->handle_fault(address, frame.error_code & 2, frame.error_code & 16)) return;
    }
    // cli/sti with iopl(3): a no-op, as on Linux 6.1 (kernel/syscall/sys_segments.cpp).
    if (frame.entry == x86::idt::GENERAL_PROTECTION && segments::skip_cli_sti(frame)) return;
    signals::on_user_exception(frame, address);
}

void start_init(const cmdline::CommandLine& cmd) {
    const char* path = cmd.init_argc ? cmd.init_argv[0] : "/bin/init";
    proc::ArgVector argv, envp;
    if (cmd.init_argc) {
        for (size_t i = 0; i < cmd.init_argc; i++) argv.add(cmd.init_argv[i]);
    } else {
        argv.add(path);
    }
    // Linux's default environment for init, then the command line's KEY=VALUE words.
    envp.add("HOME=/");
    envp.add("TERM=linux");
    envp.add("PATH=/bin");
    for (size_t i = 0; i < cmd.init_envc; i++) envp.add(cmd.init_envp[i]);

    int error = 0;
    Process* init = proc::allocate(nullptr, &error);
    if (!init) panic("cannot create the first process ({})", error);
    init->files = files::new_table();
    init->fs = new FsContext;
    init->signals.handlers = signals::new_handlers();
    if (!init->files || !init->fs || !init->signals.handlers) panic("out of memory for the first process");
    for (int fd = 0; fd < 3; fd++) {
        File* console = nullptr;
        int e = 0;
        vfs::Node* node = vfs::lookup("/", "/dev/console", &e);
        if (!node || vfs::open(node, oflag::RDWR, &console)) panic("no /dev/console");
        init->files->files[fd] = console;
    }
    const long result = proc::exec(init, path, argv, envp);
    if (result) {
        kprintln("[init] cannot run {}: error {}", path, -result);
        kprintln("[init] (programs live in the initramfs: see user/ and `scripts/boot --add`)");
        shutdown(127);
    }
    kprintln("[init] starting {} as pid {} ({}-bit)", path, init->pid, init->is64 ? 64 : 32);
    proc::start(init);
}

} // namespace

void start_gates() {
    const cmdline::CommandLine& cmd = boot_command_line();
    const x86::entry::GateSupport gates = x86::entry::init_msrs(boot_cpu());
    kprintln("[gates] int $0x80: IDT vector 0x80, DPL-3 trap gate; sysenter: {}; syscall: {}",
             gates.sysenter ? "MSRs 0x174-0x176 set" : "no SEP",
             gates.syscall ? "STAR/LSTAR/CSTAR/FMASK set" : "absent");
    // vsyscall= names the vDSO's gate, the legacy page's mode, or both.
    static const char* const forced_gates[] = {"int80", "sysenter", "syscall"};
    const char* gate = "auto";
    for (const char* g : forced_gates)
        if (cmd.has_word("vsyscall", g)) gate = g;
    vdso::init(boot_cpu(), gate, gates);
    vsyscall_page::init(cmd.has_word("vsyscall", "emulate") ? vsyscall_page::Mode::Emulate
                        : cmd.has_word("vsyscall", "none")  ? vsyscall_page::Mode::None
                                                            : vsyscall_page::Mode::XOnly);
    syscall::init(same_string(cmd.get("strace", "0"), "1"));
    syscall::set_cycle_accounting(same_string(cmd.get("syscall_cycles", "0"), "1"));
}

void start_system(const x86::multiboot::BootInfo& boot) {
    const cmdline::CommandLine& cmd = boot_command_line();
    x86::interrupts::set_user_return_hook(exit_to_user);
    trap::set_user_fault_handler(on_user_fault);
    proc::init();
    tty::init();

    const uint8_t* archive = nullptr;
    size_t size = 0;
    if (boot.module_count) {
        archive = static_cast<const uint8_t*>(x86::mm::phys_to_virt(boot.modules[0].start));
        size = boot.modules[0].end - boot.modules[0].start;
    }
    const long files = vfs::mount_initramfs(archive, size);
    if (!archive)
        kprintln("[initramfs] no initramfs module: the tree has only /dev");
    else
        kprintln("[initramfs] {} files, {} KiB", files, size / 1024);

    start_init(cmd);
    sched::idle_loop();
}
