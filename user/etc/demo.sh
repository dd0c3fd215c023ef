# A short tour of Sysgate from its shell:  sh /etc/demo.sh
# (user/etc/demo.sh in the source tree: every file of user/etc/ is in /etc).

echo "== One program built 64-bit and 32-bit, and one in C++"
hello
hello32
hello_cpp

echo "== A pipeline: three processes, two pipes; its status is the last one's"
ls /bin | cat | cat > /dev/null
echo "status $?"

echo "== Variables, quotes and the status of the last command"
WHO="pid $$"
echo "hello from the script's shell, $WHO, run as $0"
false || echo 'false failed: status' $?

echo "== A program that faults: the kernel stops it, the shell names the signal"
crash segv
echo "crash segv: status $?"

echo "== The process table, from the kernel (sysgate_procs)"
ps
echo "== cat's own address space, from /proc"
cat /proc/self/maps
echo "== End of the tour"
