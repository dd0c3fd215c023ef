// User ids: setresuid and getresuid (Linux's kernel/sys.c rules). Sysgate
// has no files owned by anyone and no capability sets: the ids are kept
// per process, inherited by fork, and "root" (effective uid 0) is what the
// few privileged calls check (has_root_privileges in kernel/proc/process.h).
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/handlers.h"

namespace {
constexpr uint32_t UNCHANGED = ~0u; // (uid_t)-1
}

int64_t sys_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid) {
    ThreadGroup& g = *current_process()->group;
    // Without CAP_SETUID, each id may only become one the process already has.
    if (!has_root_privileges(*current_process())) {
        const uint32_t wanted[] = {ruid, euid, suid};
        for (uint32_t id : wanted)
            if (id != UNCHANGED && id != g.ruid && id != g.euid && id != g.suid) return -err::EPERM;
    }
    if (ruid != UNCHANGED) g.ruid = ruid;
    if (euid != UNCHANGED) g.euid = euid;
    if (suid != UNCHANGED) g.suid = suid;
    return 0;
}

int64_t sys_getresuid(UserPtr<uint32_t> ruid, UserPtr<uint32_t> euid, UserPtr<uint32_t> suid) {
    const ThreadGroup& g = *current_process()->group;
    if (write_user(ruid, g.ruid) || write_user(euid, g.euid) || write_user(suid, g.suid)) return -err::EFAULT;
    return 0;
}
