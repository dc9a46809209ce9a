// det-image-edit IN OUT WHAT: rewrites a det image (with a valid checksum) so that the firmware's
// own checks meet what the platform's cannot see. WHAT: `params` (a layer's channel count that
// does not chain), `golden` (one golden conv1 value changed: the firmware must report a mismatch),
// `points` (every point moved behind the grid: no pillar), `intensity` (one point's intensity
// beyond the reader's 0..127), `feat` (one golden Linear output
// changed: the Linear and canvas checks must both report it).
#include <cstring>
#include <iostream>
#include <string>

#include "firmware/workloads/det/det_image.h"
#include "workloads/image/workload_image.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: det-image-edit IN OUT params|golden|points|intensity|feat\n";
    return 64;
  }
  const std::string what = argv[3];
  if (what != "params" && what != "golden" && what != "points" && what != "feat" && what != "intensity") {
    std::cerr << "det-image-edit: unknown edit '" << what << "'\n";
    return 64;
  }
  try {
    const auto in = nvr::wimg::image::read(argv[1], "det");
    nvr::wimg::writer out(in.workload(), in.variant(), in.header().seed, in.header().flags);
    for (const auto& s : in.sections()) {
      std::uint32_t bytes = 0;
      const std::uint8_t* p = in.data(s.name, &bytes);
      std::vector<std::uint8_t> data(p, p + bytes);
      if (what == "params" && s.name == "params") {
        det_params params;
        std::memcpy(&params, data.data(), sizeof params);
        params.layer[1].cin = 7;
        std::memcpy(data.data(), &params, sizeof params);
      } else if (what == "points" && s.name == "points") {
        for (std::size_t i = 0; i + 16 <= data.size(); i += 16) {
          const std::int32_t behind = -5000;  // x in mm
          std::memcpy(data.data() + i, &behind, 4);
        }
      } else if (what == "intensity" && s.name == "points") {
        const std::int32_t bright = 200;
        std::memcpy(data.data() + 16 * 1000 + 12, &bright, 4);
      } else if (what == "feat" && s.name == "gold.pillar_feat") {
        data[200] = static_cast<std::uint8_t>(data[200] ^ 0x40);
      } else if (what == "golden" && s.name == "gold.conv1") {
        data[1000] = static_cast<std::uint8_t>(data[1000] + 1);
      }
      out.add(s.name, data);
    }
    out.write(argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "det-image-edit: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
