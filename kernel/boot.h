#pragma once
// What kernel_main found out, for the subsystems that start later.
#include "arch/x86/boot/multiboot.h"
#include "arch/x86/cpu/cpuid.h"
#include "kernel/cmdline.h"

const cmdline::CommandLine& boot_command_line();
const x86::CpuInfo& boot_cpu();

// Writes the gate MSRs, chooses and loads the vDSO, installs dispatch.
void start_gates();
// Starts the file tree and the first program; never returns.
[[noreturn]] void start_system(const x86::multiboot::BootInfo& boot);
