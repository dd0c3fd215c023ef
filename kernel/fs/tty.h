#pragma once
// The serial console as a terminal: a line discipline between the UART
// and programs (echo, erase, Ctrl-C, Ctrl-D), termios via ioctl.
#include <stdint.h>

class File;

namespace tty {

void init();          // serial receive interrupt on
File* open_console(); // a new open file description for /dev/console
// Every byte typed on the serial line (from the receive interrupt).
void receive(uint8_t byte);

} // namespace tty
