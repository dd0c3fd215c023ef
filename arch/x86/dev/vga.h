#pragma once
// The 80x25 VGA text screen: a second copy of the console for people
// watching the emulator window.
namespace x86::vga {

void init(); // clears the screen
void put(char c);

} // namespace x86::vga
