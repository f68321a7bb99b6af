# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# The first 1 step(s) belong to the base image (where the history changes builder); shown as comments.
# The base image's name is not recorded.
FROM <base>
#  /bin/sh -c #(nop)  CMD ["/bin/sh"]  [ocihist: step 0]
# not a Dockerfile instruction: bazel build ...  [ocihist: step 1, layer sha256:8897395fd26d]
