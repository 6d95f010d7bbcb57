from maadan.cli.app import main

main()
