# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# The first 1 step(s) belong to the base image (where the history changes builder); shown as comments.
# The base image's name is not recorded.
FROM <base>
#  bazel build ...  [ocihist: step 0, layer sha256:8897395fd26d]
# ADD: the source name is not recorded (classic builder); content hash file:31f0f7fb6b901307b3d575464f66e9aefce9cfc94db1cac4d6e9bc7a10e0f5a2
# ocihist: step 1, layer sha256:6b617a270657
ADD <unknown> /
