// conv2d followed by max_pool2d as one op: the convolution's output is made and pooled a
// block of images at a time, while it is still in cache, so the full-size output (the
// largest tensor of a small CNN) is never written, read back or kept for the backward
// pass. The backward pass rebuilds each block's output gradient from the pooled one
// (zero except at each window's maximum) and runs conv2d's backward kernels on it.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/node.hpp"
#include "autograd/ops/conv_geometry.hpp"
#include "autograd/ops/gemm.hpp"
#include "autograd/ops/pool_kernels.hpp"
#include "autograd/parallel/parallel.hpp"
#include "strata/ops.hpp"

namespace strata::ops {

using autograd::BackwardContext;
using kernels::ConvGeometry;

namespace {

// Images per block: a block's convolution output (up to 512 KB) stays in the core's
// second-level cache between being made and pooled, or rebuilt and used.
std::size_t images_per_block(std::size_t output_image_floats) {
  constexpr std::size_t block_floats = std::size_t{1} << 17;
  return std::max<std::size_t>(1, block_floats / std::max<std::size_t>(output_image_floats, 1));
}

Variable conv_max_pool(const Variable& x, const Variable& kernel, const Variable* bias, const Conv2DOptions& conv,
                       const Pool2DOptions& pool) {
  const ConvGeometry g = kernels::conv2d_geometry(x, kernel, bias, conv);
  const std::size_t filters = kernel.shape()[3];
  const ConvGeometry pg =
      kernels::pool_geometry("max_pool2d", {g.batch, g.height.windows, g.width.windows, filters}, pool);
  // Overlapping windows would add several gradients into one cell; the 1-byte index holds
  // windows of up to 256 cells. Other pools take the two ops.
  if (!kernels::pool_windows_disjoint(pg) || pg.height.kernel * pg.width.kernel > 256) {
    const Variable y = bias ? conv2d(x, kernel, *bias, conv) : conv2d(x, kernel, conv);
    return max_pool2d(y, pool);
  }
  const kernels::ConvKernels path = kernels::conv2d_path(g, filters);
  const std::size_t in_image = g.height.image * g.width.image * g.channels;
  const std::size_t conv_image = g.height.windows * g.width.windows * filters;
  const std::size_t pool_image = pg.height.windows * pg.width.windows * filters;
  // Blocks of at most images_per_block images, as many as a multiple of the pool's threads
  // so that each thread gets the same number of images (64 images of at most 6 per block:
  // 12 blocks of 5 or 6, not 10 of 6 and one of 4, which left one thread 4 images behind).
  const std::size_t most = images_per_block(conv_image);
  const std::size_t threads = std::max<std::size_t>(parallel::chunk_count(g.batch, 1), 1);
  const std::size_t fewest = (g.batch + most - 1) / most;
  const std::size_t blocks = std::min(g.batch, (fewest + threads - 1) / threads * threads);
  // Calls f(block, first_image, images) for each block, blocks split over the pool (one
  // block, as for a single image, leaves the pool to the kernels).
  const auto for_each_block = [=](auto&& f) {
    parallel::parallel_for(blocks, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      for (std::size_t b = begin; b < end; ++b) {
        const std::size_t first = b * g.batch / blocks;
        f(b, first, (b + 1) * g.batch / blocks - first);
      }
    });
  };

  std::vector<Variable> inputs{x, kernel};
  if (bias) inputs.push_back(*bias);
  Tensor out = Tensor::empty({g.batch, pg.height.windows, pg.width.windows, filters});
  // Inference needs the maxima only; under a tape, where each one lies too.
  const bool recording = autograd::is_recording(inputs);
  auto index = std::make_shared<std::vector<std::uint8_t>>(recording ? out.size() : 0);
  const float *px = x.value().data(), *pk = kernel.value().data();
  const float* pb = bias ? bias->value().data() : nullptr;
  for_each_block([&](std::size_t, std::size_t first, std::size_t count) {
    float* z = kernels::scratch(4, count * conv_image);
    path.forward(g.with_batch(count), px + first * in_image, pk, pb, filters, conv.activation, z);
    float* pooled = out.data() + first * pool_image;
    if (recording)
      kernels::max_pool_indexed(pg.with_batch(count), 0, count, z, pooled, index->data() + first * pool_image);
    else
      kernels::max_pool(pg.with_batch(count), 0, count, z, pooled);
  });
  if (!recording) return constant(std::move(out));

  const FusedActivation activation = conv.activation;
  return autograd::record(
      "conv2d_max_pool2d", std::move(out), std::move(inputs),
      [x, kernel, g, pg, path, activation, index, for_each_block, blocks, in_image, conv_image, pool_image, filters,
       has_bias = bias != nullptr](BackwardContext& c) {
        const bool need_x = c.needs(0), need_kernel = c.needs(1), need_bias = has_bias && c.needs(2);
        Tensor dx = need_x ? Tensor::empty(x.shape()) : Tensor();
        // Per block sums, added in block order: the same bits for any thread count.
        std::vector<Tensor> dk_parts(need_kernel ? blocks : 0), db_parts(need_bias ? blocks : 0);
        const float* dy = c.grad_output.data();
        const float* y = c.output.data();
        for_each_block([&](std::size_t b, std::size_t first, std::size_t count) {
          // The pooled gradient times the activation's slope at each maximum, then spread
          // to the maxima's cells: the gradient of the convolution's output.
          const float* pooled_grad = dy + first * pool_image;
          if (!activation.is_linear()) {
            float* scaled = kernels::scratch(5, count * pool_image);
            kernels::activation_gradient(activation, pooled_grad, y + first * pool_image, count * pool_image, scaled);
            pooled_grad = scaled;
          }
          float* dz = kernels::scratch(4, count * conv_image);
          kernels::zero_outside_windows(pg.with_batch(count), 0, count, dz);
          kernels::max_pool_indexed_backward(pg.with_batch(count), 0, count, index->data() + first * pool_image,
                                             pooled_grad, dz);
          if (need_kernel) dk_parts[b] = Tensor::empty(kernel.shape());
          if (need_bias) db_parts[b] = Tensor::empty({filters});
          path.backward(g.with_batch(count), x.value().data() + first * in_image, kernel.value().data(), filters, {},
                        nullptr, dz, need_x ? dx.data() + first * in_image : nullptr,
                        need_kernel ? dk_parts[b].data() : nullptr, need_bias ? db_parts[b].data() : nullptr);
        });
        // The sum of the parts (zeros for an empty batch, which has none).
        const auto total = [](const std::vector<Tensor>& parts, const Shape& shape) {
          Tensor sum = parts.empty() ? Tensor(shape) : parts[0];
          for (std::size_t i = 1; i < parts.size(); ++i)
            for (std::size_t j = 0; j < sum.size(); ++j) sum[j] += parts[i][j];
          return sum;
        };
        if (need_bias) c.add(2, total(db_parts, {filters}));
        if (need_kernel) c.add(1, total(dk_parts, kernel.shape()));
        if (need_x) c.add(0, std::move(dx));
      });
}

}  // namespace

Variable conv2d_max_pool2d(const Variable& x, const Variable& kernel, const Conv2DOptions& conv,
                           const Pool2DOptions& pool) {
  return conv_max_pool(x, kernel, nullptr, conv, pool);
}

Variable conv2d_max_pool2d(const Variable& x, const Variable& kernel, const Variable& bias, const Conv2DOptions& conv,
                           const Pool2DOptions& pool) {
  return conv_max_pool(x, kernel, &bias, conv, pool);
}

}  // namespace strata::ops
