#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/shutdown.h"

void start_system(const x86::multiboot::BootInfo&) {
    kprintln("[boot] nothing to run yet");
    shutdown(status::OK);
}
