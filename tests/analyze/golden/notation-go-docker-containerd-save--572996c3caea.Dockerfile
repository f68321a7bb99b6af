# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# The first 2 step(s) belong to the base image (where the history changes builder); shown as comments.
# The base image's name is not recorded.
FROM <base>
#  /bin/sh -c #(nop) ADD file:40887ab7c06977737e63c215c9bd297c0c74de8d12d16ebdf1c3d40ac392f62d in /  [ocihist: step 0, layer sha256:63b65145d645]
#  /bin/sh -c #(nop)  CMD ["/bin/sh"]  [ocihist: step 1]
# ocihist: step 2
CMD ["/bin/bash"]
