from ocihist.cli.app import main

main()
