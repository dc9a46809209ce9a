/* Workload image checks, section lookup, per-layer profile and closing lines (workload.h). */
#include "workload.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clint.h"
#include "memory_map.h"
#include "testdev.h"

/* Slicing-by-4: four 256-word tables (4 KiB of .bss, built on first use) take a word per step,
 * about 3 instructions a byte instead of 16 for a nibble table; a workload image of a few MiB is
 * checked in milliseconds of simulated time. */
static uint32_t crc_tables[4][256];
static bool crc_ready;

static void crc_build(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    crc_tables[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (int t = 1; t < 4; ++t)
      crc_tables[t][i] = (crc_tables[t - 1][i] >> 8) ^ crc_tables[0][crc_tables[t - 1][i] & 0xffu];
  crc_ready = true;
}

uint32_t wl_crc32(const void* data, uint32_t bytes) {
  if (!crc_ready) crc_build();
  const uint8_t* p = (const uint8_t*)data;
  uint32_t crc = 0xffffffffu;
  for (; bytes && ((uintptr_t)p & 3u); --bytes) crc = (crc >> 8) ^ crc_tables[0][(crc ^ *p++) & 0xffu];
  for (; bytes >= 4; bytes -= 4, p += 4) {
    uint32_t word;
    memcpy(&word, p, sizeof word); /* aligned; little-endian like the CRC's bit order */
    crc ^= word;
    crc = crc_tables[3][crc & 0xffu] ^ crc_tables[2][(crc >> 8) & 0xffu] ^
          crc_tables[1][(crc >> 16) & 0xffu] ^ crc_tables[0][crc >> 24];
  }
  for (; bytes; --bytes) crc = (crc >> 8) ^ crc_tables[0][(crc ^ *p++) & 0xffu];
  return crc ^ 0xffffffffu;
}

static const char* name_of(const struct wl_image* img) {
  return img && img->workload ? img->workload : "workload";
}

bool wl_image_open(struct wl_image* img, uint32_t addr, const char* workload) {
  memset(img, 0, sizeof *img);
  img->workload = workload;
  img->base = (const uint8_t*)(uintptr_t)addr;
  const struct wimg_header* h = (const struct wimg_header*)img->base;
  if (h->magic != WIMG_MAGIC) {
    printf("%s: error: no workload image at 0x%08" PRIx32 " (magic 0x%08" PRIx32
           "); run through "
           "`nvr-vp --workload %s` or load it with --load IMAGE@0x%08" PRIx32 "\n",
           workload, addr, h->magic, workload, addr);
    return false;
  }
  if (h->version != WIMG_VERSION) {
    printf("%s: error: image version %" PRIu32 ", this firmware reads version %u\n", workload, h->version,
           WIMG_VERSION);
    return false;
  }
  if (strncmp(h->workload, workload, WIMG_NAME_BYTES) != 0) {
    printf("%s: error: the image at 0x%08" PRIx32 " is for workload '%.16s'\n", workload, addr, h->workload);
    return false;
  }
  const uint32_t table_end = (uint32_t)sizeof *h + h->section_count * (uint32_t)sizeof(struct wimg_section);
  if (h->image_bytes > WIMG_MAX_BYTES || h->image_bytes < sizeof *h ||
      h->section_count > WIMG_MAX_BYTES / 48u || table_end > h->image_bytes) {
    printf("%s: error: image header is inconsistent (%" PRIu32 " bytes, %" PRIu32 " sections)\n", workload,
           h->image_bytes, h->section_count);
    return false;
  }
  const uint32_t crc = wl_crc32(img->base + sizeof *h, h->image_bytes - (uint32_t)sizeof *h);
  if (crc != h->crc32) {
    printf("%s: error: image checksum mismatch (crc32 0x%08" PRIx32 ", header says 0x%08" PRIx32
           "): the image is corrupted or truncated\n",
           workload, crc, h->crc32);
    return false;
  }
  img->sections = (const struct wimg_section*)(img->base + sizeof *h);
  for (uint32_t i = 0; i < h->section_count; ++i) {
    const struct wimg_section* s = &img->sections[i];
    if (s->offset < table_end || s->offset > h->image_bytes || s->bytes > h->image_bytes - s->offset ||
        memchr(s->name, 0, WIMG_SECTION_NAME_BYTES) == NULL) {
      printf("%s: error: image section %" PRIu32 " lies outside the image\n", workload, i);
      return false;
    }
  }
  img->header = h;
  return true;
}

const void* wl_find(const struct wl_image* img, const char* name, uint32_t min_bytes, uint32_t* bytes) {
  if (img->header)
    for (uint32_t i = 0; i < img->header->section_count; ++i) {
      const struct wimg_section* s = &img->sections[i];
      if (strncmp(s->name, name, WIMG_SECTION_NAME_BYTES) != 0) continue;
      if (s->bytes < min_bytes) {
        printf("%s: error: image section '%s' has %" PRIu32 " bytes, at least %" PRIu32 " needed\n",
               name_of(img), name, s->bytes, min_bytes);
        return NULL;
      }
      if (bytes) *bytes = s->bytes;
      return img->base + s->offset;
    }
  printf("%s: error: the image has no section '%s'\n", name_of(img), name);
  return NULL;
}

const void* wl_section(const struct wl_image* img, const char* name, uint32_t min_bytes) {
  const void* p = wl_find(img, name, min_bytes, NULL);
  if (!p) testdev_exit(WL_EXIT_IMAGE);
  return p;
}

uint32_t wl_section_addr(const struct wl_image* img, const char* name, uint32_t min_bytes) {
  return (uint32_t)(uintptr_t)wl_section(img, name, min_bytes);
}

void wl_profile_init(struct wl_profile* prof) {
  memset(prof, 0, sizeof *prof);
  prof->open = -1;
}

void wl_layer_begin(struct wl_profile* prof, const char* name) {
  int32_t index = -1;
  for (uint32_t i = 0; i < prof->count; ++i)
    if (strcmp(prof->layers[i].name, name) == 0) index = (int32_t)i;
  if (index < 0) {
    if (prof->count == WL_MAX_LAYERS) {
      printf("workload: error: more than %u layer names in the profile\n", WL_MAX_LAYERS);
      testdev_exit(WL_EXIT_FAIL);
    }
    index = (int32_t)prof->count++;
    prof->layers[index].name = name;
  }
  prof->open = index;
  prof->start_npu = nrt_cycles();
  prof->start_mtime = clint_mtime();
}

uint32_t wl_layer_end(struct wl_profile* prof, struct nrt* rt) {
  const uint32_t error = nrt_wait(rt);
  if (prof->open >= 0) {
    struct wl_layer* layer = &prof->layers[prof->open];
    layer->npu_cycles += nrt_cycles() - prof->start_npu;
    layer->mtime_ticks += clint_mtime() - prof->start_mtime;
    ++layer->calls;
    prof->open = -1;
  }
  return error;
}

void wl_profile_print(const struct wl_profile* prof) {
  uint64_t npu = 0, ticks = 0;
  uint32_t calls = 0;
  for (uint32_t i = 0; i < prof->count; ++i) {
    calls += prof->layers[i].calls;
    npu += prof->layers[i].npu_cycles;
    ticks += prof->layers[i].mtime_ticks;
  }
  const uint32_t ticks_per_us = NVR_CLINT_MTIME_HZ / 1000000u;
  printf("%-20s %8s %14s %8s %12s\n", "layer", "calls", "NPU cycles", "share", "time (us)");
  for (uint32_t i = 0; i < prof->count; ++i) {
    const struct wl_layer* l = &prof->layers[i];
    const uint32_t permille = npu ? (uint32_t)(l->npu_cycles * 1000u / npu) : 0;
    printf("%-20s %8" PRIu32 " %14" PRIu64 " %5" PRIu32 ".%" PRIu32 "%% %12" PRIu64 "\n", l->name, l->calls,
           l->npu_cycles, permille / 10u, permille % 10u, l->mtime_ticks / ticks_per_us);
  }
  /* (picolibc's printf pads an empty string one short, so every column gets a value.) */
  printf("%-20s %8" PRIu32 " %14" PRIu64 " %8s %12" PRIu64 "\n", "total", calls, npu, "100.0%",
         ticks / ticks_per_us);
}

void wl_fail(const struct wl_image* img, int code, const char* what) {
  printf("%s: error: %s\n", name_of(img), what);
  testdev_exit(code);
}

void wl_finish(const struct wl_image* img, bool pass) {
  printf("%s: check %s\n", name_of(img), pass ? "PASS" : "FAIL");
  testdev_exit(pass ? WL_EXIT_PASS : WL_EXIT_FAIL);
}
