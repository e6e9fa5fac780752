#include "sw/drivers/driver_config.h"

namespace dmasim::sw {

void DriverConfig::describe(cfg::Fields<DriverConfig>& f) {
  f("camera", &DriverConfig::camera, "camera capture with a CPU consumer (V4L2-style buffer queue)");
  f("display", &DriverConfig::display, "display scan-out: the CPU renders into double-buffered frames the display reads");
  f("gpu", &DriverConfig::gpu, "GPU texture upload: the CPU writes a texture once, the GPU reads it many times");
  f("nic", &DriverConfig::nic, "NIC receive: a ring of small streaming mappings, map and unmap per packet");
  f("script", &DriverConfig::script, "a driver whose steps (map, sync, device and CPU accesses) come from the scenario");
  f("decode", &DriverConfig::decode, "video decode: the CPU writes the bitstream, the decoder writes frames, the CPU reads part");
  f("sharing", &DriverConfig::sharing,
    "buffer sharing camera -> GPU -> display, the importers mapping with DMA_ATTR_SKIP_CPU_SYNC");
}

std::string DriverConfig::problem() const {
  const int set = camera.has_value() + display.has_value() + gpu.has_value() + nic.has_value() + script.has_value() +
                  decode.has_value() + sharing.has_value();
  if (set == 0) return "no driver given: use one of camera, display, gpu, nic, script, decode, sharing";
  if (set > 1) return "one driver per entry";
  if (script) return script->problem();
  return {};
}

std::vector<std::pair<std::string, std::string>> DriverConfig::devices() const {
  if (camera) return {{"camera.device", camera->device}};
  if (display) return {{"display.device", display->device}};
  if (gpu) return {{"gpu.device", gpu->device}};
  if (nic) return {{"nic.device", nic->device}};
  if (script) return {{"script.device", script->device}};
  if (decode) return {{"decode.device", decode->device}};
  if (sharing) return {{"sharing.camera", sharing->camera}, {"sharing.gpu", sharing->gpu}, {"sharing.display", sharing->display}};
  return {};
}

std::vector<unsigned> DriverConfig::cores() const {
  if (camera) {
    if (camera->consumer == ConsumerKind::None) return {camera->core};
    return {camera->core, camera->consumer_core};
  }
  if (display) return {display->core};
  if (gpu) return {gpu->core};
  if (nic) return {nic->core};
  if (script) return {script->core};
  if (decode) return {decode->core};
  if (sharing) return {sharing->core};
  return {};
}

std::unique_ptr<Driver> make_driver(Kernel& kernel, Strategy strategy, const DriverConfig& config) {
  if (config.camera) return make_camera_capture(kernel, strategy, *config.camera);
  if (config.display) return make_display_scanout(kernel, strategy, *config.display);
  if (config.gpu) return make_gpu_upload(kernel, strategy, *config.gpu);
  if (config.nic) return make_nic_receive(kernel, strategy, *config.nic);
  if (config.script) return make_script_driver(kernel, strategy, *config.script);
  if (config.decode) return make_video_decode(kernel, strategy, *config.decode);
  if (config.sharing) return make_buffer_sharing(kernel, strategy, *config.sharing);
  return nullptr;
}

}  // namespace dmasim::sw
