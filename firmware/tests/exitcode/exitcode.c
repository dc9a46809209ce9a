/* exitcode: exits with a non-zero code (3) through exit(), so the differential test checks that
 * the simulator's exit code is the firmware's. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("exiting with code 3\n");
  exit(3);
}
