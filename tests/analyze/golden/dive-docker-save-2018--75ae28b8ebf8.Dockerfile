# Reconstructed from the image history by ocihist: not the original Dockerfile.
# History never records stage FROM lines, COPY --from sources or RUN --mount options.
# No base image is recorded: FROM scratch assumed, every step is shown.
FROM scratch
# ADD: the source name is not recorded (classic builder); content hash file:ce026b62356eec3ad1214f92be2c9dc063fe205bd5e600be3492c4dfb17148bd
# ocihist: step 0, layer sha256:23bc2b70b201
ADD <unknown> /
# ocihist: step 1
CMD ["sh"]
# ADD: the source name is not recorded (classic builder); content hash file:139c3708fb6261126453e34483abd8bf7b26ed16d952fd976994d68e72d93be2
# ocihist: step 2, layer sha256:a65b7d7ac139
ADD <unknown> /somefile.txt
# ocihist: step 3, layer sha256:93e208d47175
RUN mkdir -p /root/example/really/nested
# ocihist: step 4, layer sha256:4abad3abe3cb
RUN cp /somefile.txt /root/example/somefile1.txt
# ocihist: step 5, layer sha256:14c9a6ffcb6a
RUN chmod 444 /root/example/somefile1.txt
# ocihist: step 6, layer sha256:778fb5770ef4
RUN cp /somefile.txt /root/example/somefile2.txt
# ocihist: step 7, layer sha256:f275b8a31a71
RUN cp /somefile.txt /root/example/somefile3.txt
# ocihist: step 8, layer sha256:dd1effc5eb19
RUN mv /root/example/somefile3.txt /root/saved.txt
# ocihist: step 9, layer sha256:8d1869a0a066
RUN cp /root/saved.txt /root/.saved.txt
# ocihist: step 10, layer sha256:bc2e36423fa3
RUN rm -rf /root/example/
# ADD: the source name is not recorded (classic builder); content hash dir:7ec14b81316baa1a31c38c97686a8f030c98cba2035c968412749e33e0c4427e
# ocihist: step 11, layer sha256:7f648d45ee7b
ADD <unknown> /root/.data/
# ocihist: step 12, layer sha256:a4b8f95f266d
RUN cp /root/saved.txt /tmp/saved.again1.txt
# ocihist: step 13, layer sha256:22a44d45780a
RUN cp /root/saved.txt /root/.data/saved.again2.txt
# ocihist: step 14, layer sha256:ba689cac6a98
RUN chmod +x /root/saved.txt
